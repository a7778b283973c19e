"""Order state changes: expiry, cancellation, payment, refunds, shipping.

Each change is claimed with a conditional UPDATE on the order's status, so two
concurrent callers (a webhook and the sweeper, two webhooks) never both apply it.
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
from storefront.mail.messages import queue_order_mail
from storefront.orders.models import Order, Refund
from storefront.orders.signals import order_paid, order_refunded, order_released, order_reserving
from storefront.orders.states import OrderStatus, can_transition
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
    order_reserving.send(order, session=session, now=now)


def _claim(session: Session, order: Order, *, source: set[str], **values) -> bool:
    """Move `order` out of one of `source` statuses; True if this caller won the change."""
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(source))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    return result.rowcount == 1


def _release(session: Session, order: Order, *, status: OrderStatus, now: datetime) -> bool:
    if not _claim(
        session, order, source={OrderStatus.PENDING}, status=status, closed_at=now, stock_held=False
    ):
        return False
    give_back_lines(session, order.lines)
    order_released.send(order, session=session, now=now)
    return True


@transactional
def expire_order(session: Session, order: Order, *, now: datetime) -> bool:
    """End an unpaid order's reservation and give its stock back."""
    released = _release(session, order, status=OrderStatus.EXPIRED, now=now)
    if released:
        queue_order_mail(session, order, "order_expired")
    return released


def expire_if_due(session: Session, order: Order, *, now: datetime) -> bool:
    """Expire `order` if its reservation has run out (expiry applied lazily, on read)."""
    if order.status == OrderStatus.PENDING and order.reserved_until <= now:
        return expire_order(session, order, now=now)
    return False


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
    if _claim(session, order, source={OrderStatus.PENDING}, status=OrderStatus.PAID):
        return _paid(session, order, now)
    if not _take_back(session, order, now):
        return PaymentOutcome.NEEDS_REFUND
    _claim(
        session,
        order,
        source={OrderStatus.EXPIRED, OrderStatus.CANCELED},
        status=OrderStatus.PAID,
        stock_held=True,
    )
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
    order_paid.send(order, session=session, now=now)
    queue_order_mail(session, order, "order_confirmation")
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
    if (
        order.status in (OrderStatus.PAID, OrderStatus.SHIPPED)
        and order.stock_held
        and not order.shipped_at
    ):
        give_back_lines(session, order.lines)
        order.stock_held = False
    order.status = OrderStatus.REFUNDED
    order.closed_at = now
    order_refunded.send(order, session=session, now=now)
    queue_order_mail(session, order, "order_refunded")


@transactional
def mark_shipped(session: Session, order: Order, *, now: datetime) -> None:
    """The label posted the parcel."""
    if not can_transition(order.status, OrderStatus.SHIPPED):
        raise InvalidTransition(f"Order {order.reference} is {order.status}, it cannot ship.")
    order.status = OrderStatus.SHIPPED
    order.shipped_at = now
