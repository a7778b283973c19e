"""Distributors and consignment shops: who they are, the units allocated to them from
the main stock, what they sold (paid orders, settled by their statements) and what they
sent back. `sold` and `returned` move by conditional UPDATEs, never past `allocated`.

A sale's unit price is what reaches the label: the price the statement says they paid
the label, or else the shop's price minus their commission (rounded to the cent)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.admin_services import CatalogRefused
from storefront.catalog.models import Product, StockReason
from storefront.channels.models import Distributor, DistributorStock, PartnerKind
from storefront.database import transactional
from storefront.errors import NotEnoughStock
from storefront.inventory.moves import put_back, take_out
from storefront.inventory.services import check_item
from storefront.orders.checkout import new_reference
from storefront.orders.history import EventKind, record_event
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import Channel, OrderStatus

# How a distributor's orders name their payment: settled by statement, outside the
# shop's providers, so nothing offers them an online refund (`orders.actions`).
PROVIDER = "statement"


class ChannelRefused(CatalogRefused):
    """A distributor edit, allocation, sale or return the rules refuse."""

    code = "channel_refused"


@dataclass(frozen=True)
class DistributorFields:
    name: str
    kind: str = PartnerKind.DISTRIBUTOR
    email: str = ""
    country: str = "FR"
    commission_percent: int = 0
    active: bool = True


@transactional
def save_distributor(
    session: Session, distributor: Distributor | None, *, fields: DistributorFields
) -> Distributor:
    """Create a distributor (None) or change one; names are unique."""
    if not 0 <= fields.commission_percent <= 100:
        raise ChannelRefused(str(_l("A commission is between 0 and 100 %.")), field="commission")
    distributor = distributor or Distributor()
    distributor.name, distributor.kind = fields.name, PartnerKind(fields.kind)
    distributor.email, distributor.country = fields.email, fields.country.upper()
    distributor.commission_percent, distributor.active = fields.commission_percent, fields.active
    session.add(distributor)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        message = _l("Another distributor has this name.")
        raise ChannelRefused(str(message), field="name") from None
    return distributor


def _detail(distributor: Distributor) -> str:
    return f"{distributor.name} (distributor {distributor.id})"


@transactional
def allocate(
    session: Session,
    distributor: Distributor,
    product: Product,
    *,
    option_id: int | None,
    units: int,
    actor: str,
    now: datetime,
) -> DistributorStock:
    """Give `units` of a product (or size) from the main stock to the distributor (a
    CONSIGNMENT move). The stock is taken first: that write makes two allocations to
    the same distributor wait for each other before the row is looked up."""
    check_item(product, option_id)
    try:
        take_out(
            session,
            product,
            option_id=option_id,
            quantity=units,
            reason=StockReason.CONSIGNMENT,
            actor=actor,
            now=now,
            detail=_detail(distributor),
        )
    except NotEnoughStock as shortage:
        raise ChannelRefused(shortage.message, field="units") from None
    row = _row(session, distributor.id, product.id, option_id)
    if row is None:
        row = DistributorStock(distributor=distributor, product=product, option_id=option_id)
        session.add(row)
        session.flush()
    session.execute(
        update(DistributorStock)
        .where(DistributorStock.id == row.id)
        .values(allocated=DistributorStock.allocated + units)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return row


def _row(
    session: Session, distributor_id: int, product_id: int, option_id: int | None
) -> DistributorStock | None:
    return session.scalar(
        select(DistributorStock).filter_by(
            distributor_id=distributor_id, product_id=product_id, option_id=option_id
        )
    )


@transactional
def take_back(
    session: Session, row: DistributorStock, *, units: int, actor: str, now: datetime
) -> DistributorStock:
    """Unsold units they sent back return to the main stock (CONSIGNMENT_RETURN)."""
    if not _count(session, row, DistributorStock.returned, units):
        raise ChannelRefused(_more_than_held(row), field="units")
    put_back(
        session,
        row.product,
        option_id=row.option_id,
        quantity=units,
        reason=StockReason.CONSIGNMENT_RETURN,
        actor=actor,
        now=now,
        detail=_detail(row.distributor),
    )
    session.refresh(row)
    return row


def _count(session: Session, row: DistributorStock, column, units: int) -> bool:
    """Add `units` to `sold` or `returned` only while they hold that many (one UPDATE)."""
    return (
        session.execute(
            update(DistributorStock)
            .where(
                DistributorStock.id == row.id,
                DistributorStock.allocated - DistributorStock.sold - DistributorStock.returned
                >= units,
            )
            .values({column: column + units})
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _more_than_held(row: DistributorStock) -> str:
    return str(_l("More than they hold of %(item)s.", item=row.label))


@dataclass(frozen=True)
class SaleLine:
    """One sale they report: units of one item they hold, at a price, on a day."""

    row: DistributorStock
    quantity: int
    unit_price_cents: int | None  # what reached the label; None: price minus commission
    sold_at: datetime


def net_price(price_cents: int, commission_percent: int) -> int:
    """The shop's price minus the distributor's commission, to the nearest cent."""
    return (price_cents * (100 - commission_percent) + 50) // 100


@transactional
def record_sales(
    session: Session, distributor: Distributor, lines: list[SaleLine], *, actor: str, now: datetime
) -> list[Order]:
    """Record their sales as paid orders (one per sale day), or nothing at all: a line
    beyond what they hold refuses the whole batch (ChannelRefused), even when another
    import counted the units a moment before."""
    if any(line.sold_at.date() > now.date() for line in lines):
        raise ChannelRefused(str(_l("That date is still to come.")), field="sold_on")
    for line in sorted(lines, key=lambda line: line.row.id):
        if not _count(session, line.row, DistributorStock.sold, line.quantity):
            raise ChannelRefused(_more_than_held(line.row), field="quantity")
    by_day: dict[datetime, list[SaleLine]] = defaultdict(list)
    for line in lines:
        by_day[line.sold_at].append(line)
    return [
        _sale_order(session, distributor, day_lines, actor, now)
        for _day, day_lines in sorted(by_day.items(), key=lambda item: item[0])
    ]


def _sale_order(
    session: Session, distributor: Distributor, lines: list[SaleLine], actor: str, now: datetime
) -> Order:
    sold_at = lines[0].sold_at
    order = Order(
        reference=new_reference(),
        status=OrderStatus.PAID,
        email=distributor.email or "",
        fan_key=f"distributor:{distributor.id}",
        channel=Channel.DISTRIBUTOR,
        distributor_id=distributor.id,
        currency=lines[0].row.product.currency,
        shipping_cents=0,
        provider=PROVIDER,
        created_at=now,
        reserved_until=now,
        paid_at=sold_at,
        stock_held=False,  # their units left the main stock when they were allocated
    )
    for line in lines:
        product, option = line.row.product, line.row.option
        unit = line.unit_price_cents
        if unit is None:
            unit = net_price(product.price_cents, distributor.commission_percent)
        order.lines.append(
            OrderLine(
                product=product,
                option_id=line.row.option_id,
                description=product.describe(option),
                kind=product.kind,
                unit_price_cents=unit,
                quantity=line.quantity,
            )
        )
    order.subtotal_cents = order.total_cents = sum(line.price_cents for line in order.lines)
    session.add(order)
    session.flush()
    detail = f"{PROVIDER}: {distributor.name}"
    record_event(session, order, actor=actor, kind=EventKind.PLACED, after=order.status, now=now)
    record_event(session, order, actor=actor, kind=EventKind.PAYMENT, detail=detail, now=now)
    return order


@dataclass(frozen=True)
class DistributorSummary:
    distributor: Distributor
    rows: tuple[DistributorStock, ...]
    allocated: int
    sold: int
    returned: int
    held: int
    owed_cents: int  # their sales, settled by statement
    currency: str
    orders: tuple[Order, ...]


def distributor_summary(session: Session, distributor: Distributor) -> DistributorSummary:
    """What they hold, sold, sent back and owe for their sales."""
    rows = tuple(
        session.scalars(
            select(DistributorStock)
            .where(DistributorStock.distributor_id == distributor.id)
            .options(selectinload(DistributorStock.product).selectinload(Product.release))
            .order_by(DistributorStock.product_id, DistributorStock.option_id)
            .execution_options(populate_existing=True)
        )
    )
    orders = tuple(
        session.scalars(
            select(Order)
            .where(Order.distributor_id == distributor.id, Order.channel == Channel.DISTRIBUTOR)
            .order_by(Order.paid_at.desc(), Order.id.desc())
        )
    )
    owed = sum(order.total_cents - order.refunded_cents for order in orders)
    return DistributorSummary(
        distributor=distributor,
        rows=rows,
        allocated=sum(row.allocated for row in rows),
        sold=sum(row.sold for row in rows),
        returned=sum(row.returned for row in rows),
        held=sum(row.left for row in rows),
        owed_cents=owed,
        currency=orders[0].currency if orders else "EUR",
        orders=orders,
    )


def distributors(session: Session) -> list[tuple[Distributor, int, int]]:
    """Every distributor with the units they hold and have sold, by name."""
    held = func.coalesce(
        func.sum(DistributorStock.allocated - DistributorStock.sold - DistributorStock.returned), 0
    )
    sold = func.coalesce(func.sum(DistributorStock.sold), 0)
    rows = session.execute(
        select(Distributor, held, sold)
        .outerjoin(DistributorStock, DistributorStock.distributor_id == Distributor.id)
        .group_by(Distributor.id)
        .order_by(Distributor.name)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]
