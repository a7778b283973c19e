"""Shipping many orders at once: ticked on the "to ship" page, or from a carrier's CSV of
tracking numbers (reference, carrier, tracking_number). Either all of them ship, in one
transaction, or none does; a CSV is checked row by row first, every error said with
its row number. And the other way: the waiting orders' addresses as a CSV for a
carrier's label tool."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.csvout import csv_text, unescaped
from storefront.database import transactional
from storefront.errors import StorefrontError
from storefront.fulfilment.errors import FulfilmentRefused
from storefront.fulfilment.parcels import post_parcel
from storefront.fulfilment.picking import units_left, weight_class
from storefront.orders.actions import may_ship
from storefront.orders.carriers import CARRIERS, OTHER, clean_tracking_number
from storefront.orders.models import Order

COLUMNS = ("reference", "carrier", "tracking_number")
MAX_ROWS = 2000
ADDRESS_HEADER = (
    "name", "address_line1", "address_line2", "postal_code", "city", "country", "email",
    "reference", "weight_class", "units",
)  # fmt: skip


@dataclass(frozen=True)
class Dispatch:
    """One order to post now, whole: its carrier and tracking number (checked)."""

    reference: str
    carrier: str
    tracking_number: str | None


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


def check_tracking(carrier: str, number: str) -> str | None:
    """The tracking number as stored (None for another carrier without one); ValueError
    with the message to show when it cannot be."""
    if carrier not in CARRIERS:
        raise ValueError(_("“%(carrier)s” is not a carrier the shop knows.", carrier=carrier))
    if not number:
        if carrier != OTHER:
            raise ValueError(_("The tracking number is missing."))
        return None
    try:
        return clean_tracking_number(number)
    except ValueError:
        raise ValueError(_("A tracking number is 4 to 40 letters and digits.")) from None


def dispatches_from(
    rows: Iterable[tuple[str, str]], carrier: str
) -> tuple[list[Dispatch], list[str]]:
    """Typed (reference, tracking number) rows, all with `carrier`, as dispatches; and a
    message naming the order for each number that cannot be used."""
    dispatches, errors = [], []
    for reference, number in rows:
        try:
            dispatches.append(Dispatch(reference, carrier, check_tracking(carrier, number.strip())))
        except ValueError as problem:
            errors.append(
                _("Order %(reference)s: %(problem)s", reference=reference, problem=problem)
            )
    return dispatches, errors


def parse_tracking_csv(text: str) -> tuple[list[tuple[int, Dispatch]], list[RowError]]:
    """The CSV's rows as (row number, dispatch), and what is wrong with the others.
    Pure: whether each order may ship is `check_dispatches`' part."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [RowError(1, _("Missing columns: %(names)s.", names=", ".join(missing)))]
    at = {name: header.index(name) for name in COLUMNS}
    rows, errors, seen = [], [], {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(RowError(number, _("At most %(max)d rows at once.", max=MAX_ROWS)))
            break
        try:
            dispatch = _dispatch(cells, at)
        except ValueError as problem:
            errors.append(RowError(number, str(problem)))
            continue
        if dispatch.reference in seen:
            message = _(
                "Order %(reference)s is on row %(row)d already.",
                reference=dispatch.reference,
                row=seen[dispatch.reference],
            )
            errors.append(RowError(number, message))
            continue
        seen[dispatch.reference] = number
        rows.append((number, dispatch))
    return rows, errors


def _dispatch(cells: Sequence[str], at: dict[str, int]) -> Dispatch:
    def cell(name: str) -> str:
        return cells[at[name]].strip() if at[name] < len(cells) else ""

    # The address export writes a reference starting with "-" as "'-..." (csvout keeps
    # spreadsheets from reading it as a formula): the same file may come back.
    reference = unescaped(cell("reference"))
    if not reference:
        raise ValueError(_("The reference is missing."))
    carrier = cell("carrier").lower().replace(" ", "")
    if not carrier:
        raise ValueError(_("The carrier is missing."))
    return Dispatch(reference, carrier, check_tracking(carrier, cell("tracking_number")))


def check_dispatches(session: Session, rows: Iterable[tuple[int, Dispatch]]) -> list[RowError]:
    """What stops each row's order from shipping now (unknown, not paid, shipped)."""
    rows = list(rows)
    references = [dispatch.reference for _number, dispatch in rows]
    orders = {
        order.reference: order
        for order in session.scalars(select(Order).where(Order.reference.in_(references)))
    }
    errors = []
    for number, dispatch in rows:
        order = orders.get(dispatch.reference)
        if order is None:
            errors.append(
                RowError(
                    number, _("There is no order %(reference)s.", reference=dispatch.reference)
                )
            )
        elif not may_ship(order):
            message = _(
                "Order %(reference)s is %(status)s: nothing to ship.",
                reference=order.reference,
                status=order.status,
            )
            errors.append(RowError(number, message))
    return errors


@transactional
def ship_all(session: Session, dispatches: Sequence[Dispatch], *, now: datetime, actor: str) -> int:
    """Post each order whole, all in one transaction: the first that cannot ship (a
    race with another admin) rolls every one back. How many orders were posted."""
    if not dispatches:
        raise FulfilmentRefused(_("Tick at least one order to ship."))
    for dispatch in dispatches:
        order = session.scalar(select(Order).where(Order.reference == dispatch.reference))
        if order is None:
            raise FulfilmentRefused(
                _("There is no order %(reference)s.", reference=dispatch.reference)
            )
        try:
            post_parcel(
                session,
                order,
                quantities=None,
                carrier=dispatch.carrier,
                tracking_number=dispatch.tracking_number,
                now=now,
                actor=actor,
            )
        except StorefrontError as refusal:
            raise FulfilmentRefused(
                _("Nothing was shipped: %(reason)s", reason=refusal.message)
            ) from refusal
    return len(dispatches)


def addresses_csv(session: Session, orders: Iterable[Order]) -> str:
    """The orders' shipping addresses, one row each, for a carrier's label tool."""
    rows = [
        (
            order.ship_name or "",
            order.ship_line1 or "",
            order.ship_line2 or "",
            order.ship_postal_code or "",
            order.ship_city or "",
            order.ship_country or "",
            order.email,
            order.reference,
            weight_class(order),
            units_left(session, order),
        )
        for order in orders
    ]
    return csv_text(ADDRESS_HEADER, rows)
