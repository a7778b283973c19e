"""The packing list: paid orders not shipped yet, each with everything its parcel holds of
an edition or a campaign (numbered copies, and the inserts slipped into them or into the
order). One list, printed from the edition's or the campaign's admin page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storefront.editions.models import Copy, Edition
from storefront.inserts.models import InsertAward, InsertPool
from storefront.inserts.services import Owner
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus
from storefront.preorders.models import Backing, Campaign


@dataclass(frozen=True)
class PackedRow:
    """One thing to put in the parcel: a numbered copy (with its variant), or the order's
    own inserts (a campaign's), and the inserts that go with it."""

    item: str
    variant: str
    inserts: tuple[str, ...]


@dataclass
class PackedOrder:
    order: Order
    rank: int | None = None  # a campaign's list: the order's place among its payments
    rows: list[PackedRow] = field(default_factory=list)


def packing_list(session: Session, owner: Owner) -> list[PackedOrder]:
    """An edition's orders by payment time, copies by draw; a campaign's by rank."""
    if isinstance(owner, Edition):
        packed = _edition_orders(session, owner)
    else:
        packed = _backers(session, owner)
    inserts = _order_inserts(session, [p.order.id for p in packed])
    for entry in packed:
        if inserts.get(entry.order.id):
            entry.rows.append(PackedRow(_("With the order"), "", tuple(inserts[entry.order.id])))
        if not entry.rows:
            entry.rows.append(PackedRow("—", "", ()))
    return packed


def _edition_orders(session: Session, edition: Edition) -> list[PackedOrder]:
    copies = session.scalars(
        select(Copy)
        .join(Order, Order.id == Copy.order_id)
        .where(Copy.edition_id == edition.id, Order.status == OrderStatus.PAID)
        .options(selectinload(Copy.variant), selectinload(Copy.order))
        .order_by(Order.paid_at, Order.id, Copy.sequence)
    ).all()
    inserts = _copy_inserts(session, [copy.id for copy in copies])
    orders: dict[int, PackedOrder] = {}
    for copy in copies:
        entry = orders.setdefault(copy.order_id, PackedOrder(copy.order))
        entry.rows.append(PackedRow(copy.label, copy.variant.name, tuple(inserts[copy.id])))
    return list(orders.values())


def _backers(session: Session, campaign: Campaign) -> list[PackedOrder]:
    backings = session.scalars(
        select(Backing)
        .where(Backing.campaign_id == campaign.id)
        .options(selectinload(Backing.order).selectinload(Order.lines))
        .order_by(Backing.id)
    ).all()
    products = {product.id for product in campaign.products}
    return [
        PackedOrder(backing.order, rank, _preordered(backing.order, products))
        for rank, backing in enumerate(backings, start=1)
        if backing.refunded_at is None and backing.order.status == OrderStatus.PAID
    ]


def _preordered(order: Order, products: set[int]) -> list[PackedRow]:
    return [
        PackedRow(f"{line.description} × {line.quantity}", "", ())  # noqa: RUF001 - the sign
        for line in order.lines
        if line.product_id in products
    ]


def _copy_inserts(session: Session, copy_ids: list[int]) -> dict[int, list[str]]:
    return _names(session, InsertAward.copy_id, copy_ids)


def _order_inserts(session: Session, order_ids: list[int]) -> dict[int, list[str]]:
    return _names(session, InsertAward.order_id, order_ids)


def _names(session: Session, column, ids: list[int]) -> dict[int, list[str]]:
    """Id (of `column`: a copy or an order) -> names of the inserts slipped into it."""
    names: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(column, InsertPool.name)
            .join(InsertPool, InsertPool.id == InsertAward.pool_id)
            .where(column.in_(ids))
            .order_by(InsertPool.id)
        ).all()
        for key, name in rows:
            names[key].append(name)
    return names
