"""Applying what providers tell us to orders: payments, failures, refunds, reconciliation."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.errors import PaymentError
from storefront.orders.history import SHOP
from storefront.orders.models import Order
from storefront.orders.services import (
    PaymentOutcome,
    cancel_order,
    expire_order,
    record_payment,
    record_refund,
)
from storefront.orders.states import OrderStatus
from storefront.payments.problems import (
    Payment,
    payment_mismatch,
    refund_refused_payments,
    refuse_payment,
)
from storefront.payments.provider import RemoteState, ReturnUrls, get_provider

log = logging.getLogger(__name__)

OWED_REFUND_REASON = "part of the order could not be honoured after payment"
LATE_REFUND_REASON = "paid after the reservation ended; sold out meanwhile"


def begin_payment(session: Session, order: Order, *, urls: ReturnUrls) -> str:
    """Open the provider's payment for a pending order; the URL to send the fan to."""
    url = get_provider(order.provider).start_payment(order, urls=urls)
    session.commit()
    return url


def settle_payment(
    session: Session, order: Order, *, payment_id: str, now: datetime, actor: str = SHOP
) -> PaymentOutcome:
    """The provider says the fan paid: record it, or refund it when the stock is gone.

    The payment is committed before the refund is asked for. When the provider cannot
    refund right now, the order stays owed (expired or canceled, with `paid_at`) and
    `reconcile` asks again later with the same idempotency key.
    """
    outcome = record_payment(session, order, payment_id=payment_id, now=now, actor=actor)
    if outcome is PaymentOutcome.NEEDS_REFUND:
        _refund_late_payment(session, order, now, actor)
    elif outcome is PaymentOutcome.PAID and order.owed_refund_cents:
        _refund_owed_part(session, order, now, actor)
    return outcome


def _refund_owed_part(session: Session, order: Order, now: datetime, actor: str) -> bool:
    """Give back what a domain could not honour after the payment (an edition sold out).

    The key names the order and the amount owed, so a retry is the same refund."""
    owed = order.owed_refund_cents
    whole = owed >= order.goods_cents  # nothing of the order can be honoured
    amount = order.total_cents - order.refunded_cents if whole else owed
    try:
        refund_order(
            session,
            order,
            reason=OWED_REFUND_REASON,
            now=now,
            amount_cents=amount,
            idempotency_key=f"owed-{order.reference}-{owed}",
            actor=actor,
        )
    except PaymentError:
        log.exception("owed refund of %s failed, left to reconcile", order.reference)
        return False
    order.owed_refund_cents = 0
    session.commit()
    return True


def _refund_late_payment(session: Session, order: Order, now: datetime, actor: str) -> bool:
    try:
        return refund_order(
            session, order, reason=LATE_REFUND_REASON, now=now, key_prefix="late", actor=actor
        )
    except PaymentError:
        log.exception("late payment of %s: refund failed, left to reconcile", order.reference)
        return False


def refund_order(
    session: Session,
    order: Order,
    *,
    reason: str,
    now: datetime,
    amount_cents: int | None = None,
    key_prefix: str = "refund",
    idempotency_key: str | None = None,
    actor: str = SHOP,
) -> bool:
    """Give money back through the order's provider and record it.

    The default idempotency key names the order and the amount already refunded, so a
    retry after a crash asks the provider for the same refund, never a second one.
    """
    amount = order.total_cents - order.refunded_cents if amount_cents is None else amount_cents
    if amount <= 0:
        return False
    key = idempotency_key or f"{key_prefix}-{order.reference}-{order.refunded_cents}-{amount}"
    refund_id = get_provider(order.provider).refund(order, amount_cents=amount, idempotency_key=key)
    return record_refund(
        session,
        order,
        amount_cents=amount,
        provider_refund_id=refund_id,
        reason=reason,
        now=now,
        actor=actor,
    )


def abandon_payment(session: Session, order: Order, *, now: datetime, actor: str = SHOP) -> bool:
    """The fan left the payment page: close the payment, then release the reservation.

    False when the provider says the payment went through after all (its webhook will
    settle the order)."""
    if not get_provider(order.provider).abandon(order):
        return False
    return cancel_order(session, order, now=now, actor=actor)


def fail_payment(session: Session, order: Order, *, now: datetime, actor: str = SHOP) -> bool:
    """The payment did not go through: the reservation ends now."""
    return cancel_order(session, order, now=now, actor=actor)


def reconcile(
    session: Session,
    *,
    now: datetime,
    lookback: timedelta = timedelta(days=2),
    actor: str = SHOP,
) -> dict:
    """Ask providers about unsettled orders and apply what webhooks missed; finish
    refunds that failed before (late payments, owed parts, refused payments).

    A payment that does not match its order is refused here as in the webhook. One
    order the provider cannot answer about is counted as failed and left for the next
    run; the others are still reconciled.
    """
    orders = session.scalars(
        select(Order)
        .where(
            Order.paid_at.is_(None),
            Order.created_at >= now - lookback,
            Order.status.in_([OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELED]),
        )
        .order_by(Order.id)
    ).all()
    counts = {"paid": 0, "expired": 0, "refused": 0, "refunded": 0, "unchanged": 0, "failed": 0}
    for order in orders:
        try:
            counts[_reconcile_one(session, order, now, actor)] += 1
        except PaymentError:
            session.rollback()
            log.exception("reconcile: could not settle order %s", order.reference)
            counts["failed"] += 1
    owed, refused = _finish_owed_refunds(session, now, actor), refund_refused_payments(session)
    for refunded, failed in (owed, refused):
        counts["refunded"] += refunded
        counts["failed"] += failed
    return counts


def _reconcile_one(session: Session, order: Order, now: datetime, actor: str) -> str:
    remote = get_provider(order.provider).lookup(order)
    if remote is None or remote.state is RemoteState.OPEN:
        return "unchanged"
    if remote.state is RemoteState.PAID:
        payment = Payment(order.provider, remote.amount_cents, remote.currency, remote.payment_id)
        if kind := payment_mismatch(order, payment):
            # The webhook refused it too (or never came): refuse it once, never settle.
            refused = refuse_payment(
                session,
                order,
                payment,
                kind=kind,
                detail=f"found by reconcile: {remote.amount_cents} {remote.currency}",
                event_id=None,
                now=now,
            )
            return "refused" if refused else "unchanged"
        # A late payment for stock sold meanwhile is recorded here and refunded below,
        # with every other refund still owed.
        payment_id = remote.payment_id or ""
        outcome = record_payment(session, order, payment_id=payment_id, now=now, actor=actor)
        return "paid" if outcome is PaymentOutcome.PAID else "unchanged"
    return "expired" if expire_order(session, order, now=now, actor=actor) else "unchanged"


def _finish_owed_refunds(session: Session, now: datetime, actor: str) -> tuple[int, int]:
    """Late payments not refunded yet (the provider failed, or a crash between the steps).

    Returns how many were refunded now and how many failed again.
    """
    owed = session.scalars(
        select(Order)
        .where(
            Order.paid_at.is_not(None),
            Order.status.in_([OrderStatus.EXPIRED, OrderStatus.CANCELED]),
        )
        .order_by(Order.id)
    ).all()
    refunded = failed = 0
    for order in owed:
        try:
            refunded += refund_order(
                session, order, reason=LATE_REFUND_REASON, now=now, key_prefix="late", actor=actor
            )
        except PaymentError:
            session.rollback()
            log.exception("reconcile: refund of order %s failed", order.reference)
            failed += 1
    for order in session.scalars(select(Order).where(Order.owed_refund_cents > 0)).all():
        if _refund_owed_part(session, order, now, actor):
            refunded += 1
        else:
            failed += 1
    return refunded, failed
