"""A distributor's statement as CSV: every row checked first, each error named by row,
column and what is wrong; the sales are imported only when every row is right.

Columns (a header row; commas or semicolons): product_id, size (empty without sizes),
quantity, unit_price (what reached the label, e.g. 12,50; empty: the shop's price minus
their commission), date (YYYY-MM-DD, the day of the sale)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.channels.models import Distributor, DistributorStock
from storefront.channels.services import SaleLine, record_sales
from storefront.money import parse_price
from storefront.orders.models import Order

COLUMNS = ("product_id", "size", "quantity", "unit_price", "date")
REQUIRED = ("product_id", "quantity", "date")
MAX_ROWS = 5_000
MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1 (0: the file itself)
    column: str
    message: str


class StatementRefused(Exception):
    """The statement has errors: nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} errors")


def sale_day(day: date) -> datetime:
    """A sale day as an instant: noon UTC, the same calendar day wherever the label is."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def import_statement(
    session: Session, distributor: Distributor, data: bytes, *, actor: str, now: datetime
) -> list[Order]:
    """Check every row, then record all the sales in one transaction; StatementRefused
    with every error (nothing imported) otherwise."""
    holdings = session.scalars(
        select(DistributorStock)
        .where(DistributorStock.distributor_id == distributor.id)
        .execution_options(populate_existing=True)
    ).all()
    lines = parse_statement(list(holdings), data, today=now.date())
    return record_sales(session, distributor, lines, actor=actor, now=now)


def parse_statement(
    holdings: list[DistributorStock], data: bytes, *, today: date
) -> list[SaleLine]:
    """The sales of a statement, against what the distributor holds; StatementRefused
    listing each bad row."""
    rows = _read(data)
    held = {(row.product_id, row.option.label if row.option else ""): row for row in holdings}
    errors: list[RowError] = []
    lines: list[SaleLine] = []
    counted: dict[int, int] = defaultdict(int)
    for number, record in rows:
        line = _line(number, record, held, today, errors)
        if line is None:
            continue
        counted[line.row.id] += line.quantity
        if counted[line.row.id] > line.row.left:
            message = _l(
                "More than they hold: %(item)s, %(left)d left with them.",
                item=line.row.label,
                left=line.row.left,
            )
            errors.append(RowError(number, "quantity", str(message)))
            continue
        lines.append(line)
    if not errors and not lines:
        errors.append(RowError(0, "", str(_l("The statement has no sales."))))
    if errors:
        raise StatementRefused(errors)
    return lines


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementRefused([RowError(0, "", str(_l("Save the file as UTF-8 CSV.")))]) from None
    header = text.partition("\n")[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    names = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        message = _l("Columns missing: %(names)s.", names=", ".join(missing))
        raise StatementRefused([RowError(1, "", str(message))])
    reader.fieldnames = names
    rows = []
    for record in reader:
        if reader.line_num > MAX_ROWS + 1:
            message = _l("At most %(num)d rows at a time.", num=MAX_ROWS)
            raise StatementRefused([RowError(0, "", str(message))])
        values = {key: (value or "").strip() for key, value in record.items() if key in COLUMNS}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


def _line(
    number: int,
    record: dict[str, str],
    held: dict[tuple[int, str], DistributorStock],
    today: date,
    errors: list[RowError],
) -> SaleLine | None:
    found = len(errors)
    row = _held(number, record, held, errors)
    quantity = _quantity(number, record.get("quantity", ""), errors)
    price = _price(number, record.get("unit_price", ""), errors)
    day = _day(number, record.get("date", ""), today, errors)
    if len(errors) > found:
        return None
    return SaleLine(row=row, quantity=quantity, unit_price_cents=price, sold_at=sale_day(day))


def _held(number, record, held, errors) -> DistributorStock | None:
    product_id, size = record.get("product_id", ""), record.get("size", "")
    row = held.get((int(product_id), size)) if _whole(product_id) else None
    if row is None:
        message = _l(
            "Unknown product “%(product)s%(size)s”: not one they were given.",
            product=product_id,
            size=f" {size}" if size else "",
        )
        errors.append(RowError(number, "product_id", str(message)))
    return row


def _quantity(number, text: str, errors) -> int:
    if _whole(text) and 0 < int(text) <= MAX_QUANTITY:
        return int(text)
    message = _l("Bad quantity “%(text)s”: a whole number of units, 1 or more.", text=text)
    errors.append(RowError(number, "quantity", str(message)))
    return 0


def _whole(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def _price(number, text: str, errors) -> int | None:
    if not text:
        return None
    try:
        return parse_price(text)
    except ValueError:
        message = _l("Bad price “%(text)s”: an amount such as 12,50.", text=text)
        errors.append(RowError(number, "unit_price", str(message)))
        return None


def _day(number, text: str, today: date, errors) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        message = _l("Bad date “%(text)s”: write it as 2026-12-04.", text=text)
        errors.append(RowError(number, "date", str(message)))
        return today
    if day > today:
        message = _l("Bad date %(day)s: it is still to come.", day=text)
        errors.append(RowError(number, "date", str(message)))
    return day
