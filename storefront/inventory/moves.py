"""Every change of the main stock goes through here, so it is written as a stock move
with its reason in the same transaction: a product's stock is explained line by line.
`take_out` and `put_back` also check the restock threshold (`alerts.check_threshold`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.catalog.models import Product, StockMove, StockReason
from storefront.errors import NotEnoughStock
from storefront.inventory.alerts import check_threshold
from storefront.orders.stock import give_back_units, take_units, units_left
from storefront.waitlist.services import notify_waiting


def record_move(
    session: Session,
    *,
    product_id: int,
    option_id: int | None,
    delta: int,
    reason: StockReason,
    actor: str,
    now: datetime,
    detail: str = "",
    order_id: int | None = None,
) -> StockMove:
    """Write down a change the caller has made to the stock (in its transaction)."""
    move = StockMove(
        product_id=product_id,
        option_id=option_id,
        delta=delta,
        reason=reason,
        detail=detail[:200],
        actor=actor[:254],
        at=now,
        order_id=order_id,
    )
    session.add(move)
    return move


def take_out(
    session: Session,
    product: Product,
    *,
    option_id: int | None,
    quantity: int,
    reason: StockReason,
    actor: str,
    now: datetime,
    detail: str = "",
    order_id: int | None = None,
) -> StockMove:
    """Take `quantity` units out of the main stock (a conditional UPDATE) and write the
    move; NotEnoughStock, nothing taken, when fewer are left."""
    if not take_units(session, product=product, option_id=option_id, quantity=quantity):
        left = units_left(session, product=product, option_id=option_id)
        raise NotEnoughStock(product.describe(_option(product, option_id)), left)
    move = record_move(
        session,
        product_id=product.id,
        option_id=option_id,
        delta=-quantity,
        reason=reason,
        actor=actor,
        now=now,
        detail=detail,
        order_id=order_id,
    )
    check_threshold(session, product.id, now=now)
    return move


def put_back(
    session: Session,
    product: Product,
    *,
    option_id: int | None,
    quantity: int,
    reason: StockReason,
    actor: str,
    now: datetime,
    detail: str = "",
    order_id: int | None = None,
) -> StockMove:
    """Put `quantity` units into the main stock and write the move; up to `quantity`
    fans waiting for the product are mailed (the one place units come back)."""
    give_back_units(session, product=product, option_id=option_id, quantity=quantity)
    move = record_move(
        session,
        product_id=product.id,
        option_id=option_id,
        delta=quantity,
        reason=reason,
        actor=actor,
        now=now,
        detail=detail,
        order_id=order_id,
    )
    check_threshold(session, product.id, now=now)
    notify_waiting(session, product_id=product.id, option_id=option_id, units=quantity, now=now)
    return move


def _option(product: Product, option_id: int | None):
    return next((option for option in product.options if option.id == option_id), None)
