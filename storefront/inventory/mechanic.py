"""What inventory plugs into orders: a shop order's units taken from or given back to the
main stock are written as stock moves (the orders domain moves the figures themselves).

Registered after every mechanic that may refuse a hold (`create_app`): a late payment
whose hold is refused gives its units back without telling anyone, so the sale's move
is written only once no one can refuse any more, exactly once per take."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.models import StockMove, StockReason
from storefront.inventory.alerts import check_threshold
from storefront.inventory.moves import record_move
from storefront.orders.history import SHOP
from storefront.orders.mechanics import Mechanic
from storefront.orders.models import Order
from storefront.waitlist.services import notify_waiting


class InventoryMechanic(Mechanic):
    name = "inventory"

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        # Runs for a checkout and again for a late payment that takes the stock back.
        if order.takes_main_stock:
            _write(session, order, _line_units(order), -1, StockReason.SALE, now)

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        if order.takes_main_stock:
            _write(session, order, _line_units(order), 1, StockReason.RELEASE, now)

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        # Refunded before its parcel left, a paid order's units went back on sale
        # (`orders.services._refunded`): what its moves still hold out comes back.
        if order.takes_main_stock and not order.shipped_at:
            _write(session, order, _units_out(session, order), 1, StockReason.RELEASE, now)


Units = dict[tuple[int, int | None], int]


def _line_units(order: Order) -> Units:
    units: Units = defaultdict(int)
    for line in order.lines:
        if line.is_physical:
            units[(line.product_id, line.option_id)] += line.quantity
    return units


def _units_out(session: Session, order: Order) -> Units:
    """Units the order's moves took and did not give back yet, per product and size."""
    rows = session.execute(
        select(StockMove.product_id, StockMove.option_id, func.sum(StockMove.delta))
        .where(StockMove.order_id == order.id)
        .group_by(StockMove.product_id, StockMove.option_id)
    ).all()
    return {(product_id, option_id): -net for product_id, option_id, net in rows if net < 0}


def _write(
    session: Session, order: Order, units: Units, sign: int, reason: StockReason, now: datetime
) -> None:
    for (product_id, option_id), quantity in sorted(units.items(), key=_key):
        record_move(
            session,
            product_id=product_id,
            option_id=option_id,
            delta=sign * quantity,
            reason=reason,
            actor=SHOP,
            now=now,
            detail=order.reference,
            order_id=order.id,
        )
        if sign > 0:  # a reservation ended or a refund gave units back: fans waiting
            notify_waiting(
                session, product_id=product_id, option_id=option_id, units=quantity, now=now
            )
    for product_id in sorted({product_id for product_id, _ in units}):
        check_threshold(session, product_id, now=now)


def _key(item) -> tuple[int, int]:
    (product_id, option_id), _ = item
    return product_id, option_id or 0
