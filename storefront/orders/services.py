"""Order state changes: expiry, cancellation, payment, refunds, shipping.

Every status change goes through `_move`: the transition table (`states.py`) says
from which statuses it may happen, and one conditional UPDATE on the order's status
claims it, so two concurrent callers (a webhook and the sweeper, two webhooks) never
both apply it. The app's mechanics react in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.database import serialize_on, transactional
from storefront.errors import InvalidTransition, NotEnoughStock, StorefrontError
from storefront.orders.mechanics import mechanics
from storefront.orders.models import Order, Refund
from storefront.orders.states import OrderStatus, sources_of
from storefront.orders.stock import give_back_lines, take_lines


class PaymentOutcome(StrEnum):
    PAID = "paid"
    ALREADY_RECORDED = "already_recorded"
    NEEDS_REFUND = "needs_refund"


def hold_for_fan(session: Session, order: Order, *, now: datetime) -> None:
    """Count the order against its fan's caps while the fan's other checkouts wait.

    Called inside the transaction that takes the order's stock, after a first write;
    a cap that would be passed raises, and the whole transaction is rolled back."""
    serialize_on(session, f"fan:{order.fan_key}")
    mechanics().hold(session, order, now=now)


def _move(
    session: Session,
    order: Order,
    target: OrderStatus,
    *,
    only_from: frozenset[OrderStatus] | None = None,
    **values,
) -> bool:
    """Move `order` to `target` from a status the transition table allows (narrowed to
    `only_from`); True if this caller made the change, False if the order was elsewhere."""
    sources = sources_of(target)
    if only_from is not None:
        if not only_from <= sources:
            raise ValueError(f"{sorted(only_from)} -> {target} is not in the transition table")
        sources = only_from
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(sources))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    return result.rowcount == 1


def _release(session: Session, order: Order, *, status: OrderStatus, now: datetime) -> bool:
    if not _move(session, order, status, closed_at=now, stock_held=False):
        return False
    give_back_lines(session, order.lines)
    mechanics().released(session, order, now=now)
    return True


@transactional
def expire_order(session: Session, order: Order, *, now: datetime) -> bool:
    """End an unpaid order's reservation and give its stock back."""
    return _release(session, order, status=OrderStatus.EXPIRED, now=now)


def expire_due_orders(session: Session, *, now: datetime) -> int:
    """Expire every pending order whose reservation has run out; how many were expired."""
    due = session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING, Order.reserved_until <= now)
    ).all()
    return sum(expire_order(session, order, now=now) for order in due)


@transactional
def cancel_order(session: Session, order: Order, *, now: datetime) -> bool:
    """The fan gave up at the payment step, or the payment failed: give the stock back."""
    return _release(session, order, status=OrderStatus.CANCELED, now=now)


@transactional
def record_payment(
    session: Session, order: Order, *, payment_id: str, now: datetime
) -> PaymentOutcome:
    """Record that the fan paid. Idempotent: a second call changes nothing.

    A payment for an expired or canceled order is honoured when its stock can still be
    taken; otherwise the order is marked for an automatic refund.
    """
    claimed = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.paid_at.is_(None))
        .values(paid_at=now, provider_payment_id=payment_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(order)
    if not claimed:
        return PaymentOutcome.ALREADY_RECORDED
    if _move(session, order, OrderStatus.PAID, only_from=frozenset({OrderStatus.PENDING})):
        return _paid(session, order, now)
    if not _take_back(session, order, now):
        return PaymentOutcome.NEEDS_REFUND
    _move(session, order, OrderStatus.PAID, stock_held=True)
    return _paid(session, order, now)


def _take_back(session: Session, order: Order, now: datetime) -> bool:
    """Take a lapsed order's stock again for its late payment, within the fan's caps;
    False (nothing taken, the reason in the order's notice) when that cannot be."""
    try:
        take_lines(session, order.lines)
    except NotEnoughStock as shortage:
        with force_locale(order.locale):
            order.notice = _(
                "Your payment arrived after your reservation ended, and %(item)s sold out "
                "meanwhile: you are refunded in full.",
                item=shortage.name,
            )
        return False
    try:
        hold_for_fan(session, order, now=now)
    except StorefrontError:
        give_back_lines(session, order.lines)
        with force_locale(order.locale):
            order.notice = _(
                "Your payment arrived after your reservation ended, and meanwhile you "
                "reached the limit per fan with another order: you are refunded in full."
            )
        return False
    return True


def _paid(session: Session, order: Order, now: datetime) -> PaymentOutcome:
    mechanics().paid(session, order, now=now)
    return PaymentOutcome.PAID


@transactional
def record_refund(
    session: Session,
    order: Order,
    *,
    amount_cents: int,
    provider_refund_id: str | None,
    reason: str,
    now: datetime,
) -> bool:
    """Record money given back; a refund already recorded (same provider id) is ignored.

    The order becomes `refunded` once everything it cost has been given back.
    """
    if provider_refund_id and session.scalar(
        select(Refund.id).where(Refund.provider_refund_id == provider_refund_id)
    ):
        return False
    amount_cents = min(amount_cents, order.total_cents - order.refunded_cents)
    if amount_cents <= 0:
        return False
    session.add(
        Refund(
            order=order,
            amount_cents=amount_cents,
            provider_refund_id=provider_refund_id,
            reason=reason,
            created_at=now,
        )
    )
    order.refunded_cents += amount_cents
    if order.refunded_cents >= order.total_cents:
        _refunded(session, order, now)
    return True


def _refunded(session: Session, order: Order, now: datetime) -> None:
    # Units still on the shelf go back on sale; a parcel already posted keeps its own.
    restock = order.stock_held and not order.shipped_at
    if not _move(session, order, OrderStatus.REFUNDED, closed_at=now, stock_held=False):
        raise InvalidTransition(f"Order {order.reference} is {order.status}: no refund.")
    if restock:
        give_back_lines(session, order.lines)
    mechanics().refunded(session, order, now=now)


@transactional
def mark_shipped(session: Session, order: Order, *, now: datetime) -> None:
    """The label posted the parcel."""
    if not _move(session, order, OrderStatus.SHIPPED, shipped_at=now):
        raise InvalidTransition(f"Order {order.reference} is {order.status}, it cannot ship.")
    mechanics().shipped(session, order, now=now)
