"""What waits to be posted, and the sheets the label prints to post it: a pick list (units
per product and size, to take off the shelf) and a packing slip per order.

A slip says what the order's one view says of its lines (edition copies, preorder
dates) and its sections (inserts, first-N bonuses): nothing is decided again here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.models import WeightClass
from storefront.editions.services import copies_of_order
from storefront.fulfilment.parcels import units_to_ship
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import Channel, OrderStatus
from storefront.orders.view import LineView, order_view

# Heaviest first: an order with one parcel-sized item goes as a parcel.
WEIGHT_ORDER = (WeightClass.PARCEL, WeightClass.LETTER, WeightClass.NONE)


def waiting_query() -> Select:
    """Paid shop orders with something physical, oldest payment first (a stand sale
    was handed over; a distributor's sale is theirs to post)."""
    return (
        select(Order)
        .where(*waiting())
        .options(selectinload(Order.lines).selectinload(OrderLine.product))
        .order_by(Order.paid_at, Order.id)
    )


def waiting() -> tuple:
    """The conditions an order waiting for its parcel meets."""
    physical = select(OrderLine.id).where(
        OrderLine.order_id == Order.id, OrderLine.kind != "digital"
    )
    return (Order.status == OrderStatus.PAID, Order.channel == Channel.SHOP, physical.exists())


def waiting_orders(session: Session, *, order_ids: Iterable[int] | None = None) -> list[Order]:
    """The orders waiting to ship: all of them, or only those of `order_ids` (ticked)."""
    query = waiting_query()
    if order_ids is not None:
        query = query.where(Order.id.in_(list(order_ids)))
    return list(session.scalars(query))


@dataclass(frozen=True)
class PickRow:
    description: str  # "Release 1 — 12\" vinyl", "T-shirt — M"
    units: int


def pick_list(session: Session, orders: Iterable[Order]) -> list[PickRow]:
    """Units still to post of each product and size over `orders`, by name."""
    totals: dict[tuple[int, int | None], int] = {}
    names: dict[tuple[int, int | None], str] = {}
    for order in orders:
        left = units_to_ship(session, order)
        for line in order.lines:
            if left.get(line.id):
                key = (line.product_id, line.option_id)
                totals[key] = totals.get(key, 0) + left[line.id]
                names[key] = line.product.describe(line.option)
    return sorted((PickRow(names[key], units) for key, units in totals.items()), key=_by_name)


def _by_name(row: PickRow) -> str:
    return row.description.casefold()


@dataclass(frozen=True)
class SlipLine:
    line: LineView
    units: int  # still to post (a slip of a partly shipped order lists what is left)


@dataclass(frozen=True)
class SectionText:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class PackingSlip:
    order: Order
    lines: tuple[SlipLine, ...]
    copies: tuple[str, ...]  # numbered copies to pick, sealed ones too ("No. 17/40 — silver")
    sections: tuple[SectionText, ...]


def packing_slip(session: Session, order: Order, *, now: datetime) -> PackingSlip:
    """One order's slip: its physical lines as its view tells them, the units left."""
    view = order_view(session, order, now=now)
    left = units_to_ship(session, order)
    lines = tuple(
        SlipLine(line_view, left[line.id])
        for line, line_view in zip(order.lines, view.lines, strict=True)
        if left.get(line.id)
    )
    copies = tuple(copy.label for copy in copies_of_order(session, order))
    sections = tuple(
        SectionText(s.title, tuple(item for item in s.items if item not in copies))
        for s in view.sections
    )
    return PackingSlip(order, lines, copies, sections)


def weight_class(order: Order) -> str:
    """The heaviest way one of the order's physical products ships."""
    kinds = {line.product.weight_class for line in order.lines if line.is_physical}
    return next((weight for weight in WEIGHT_ORDER if weight in kinds), WeightClass.NONE)


def units_left(session: Session, order: Order) -> int:
    """Physical units of `order` not posted yet."""
    return sum(units_to_ship(session, order).values())
