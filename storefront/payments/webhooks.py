"""Stripe webhook events: verified, stored by id, applied once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.orders.models import Order
from storefront.orders.services import expire_order, record_refund
from storefront.payments.models import PaymentEvent
from storefront.payments.services import fail_payment, settle_payment

log = logging.getLogger(__name__)


def apply_event(session: Session, event: dict, *, now: datetime) -> str:
    """Apply one verified Stripe event; returns what happened (for logs and tests).

    The event id is written before the change and committed with it: a second
    delivery of the same id finds it and does nothing, even when both arrive at once,
    and an event whose change failed is not marked as seen.
    """
    obj = event["data"]["object"]
    order = _order_for(session, event["type"], obj)
    record = PaymentEvent(
        id=event["id"], type=event["type"], order_reference=order.reference if order else None
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return "duplicate"
    handler = _HANDLERS.get(event["type"], _ignore) if order else _ignore
    record.outcome = handler(session, order, obj, now)
    session.commit()
    return record.outcome


def _order_for(session: Session, event_type: str, obj: dict) -> Order | None:
    if event_type.startswith("charge."):
        payment_intent = obj.get("payment_intent")
        return (
            session.scalar(select(Order).where(Order.provider_payment_id == payment_intent))
            if payment_intent
            else None
        )
    reference = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("order_reference")
    return session.scalar(select(Order).where(Order.reference == reference)) if reference else None


def _completed(session: Session, order: Order, obj: dict, now: datetime) -> str:
    # Delayed methods (SEPA debit...) complete the session unpaid; their money comes
    # with checkout.session.async_payment_succeeded.
    if obj.get("payment_status") not in ("paid", "no_payment_required"):
        return "awaiting_payment"
    return settle_payment(session, order, payment_id=obj.get("payment_intent") or "", now=now)


def _failed(session: Session, order: Order, obj: dict, now: datetime) -> str:
    return "canceled" if fail_payment(session, order, now=now) else "unchanged"


def _expired(session: Session, order: Order, obj: dict, now: datetime) -> str:
    return "expired" if expire_order(session, order, now=now) else "unchanged"


def _refunded(session: Session, order: Order, obj: dict, now: datetime) -> str:
    # amount_refunded is cumulative: the delta is what this event adds, and keying the
    # record on (charge, cumulative amount) makes replays and stale events no-ops.
    delta = int(obj.get("amount_refunded", 0)) - order.refunded_cents
    recorded = record_refund(
        session,
        order,
        amount_cents=delta,
        provider_refund_id=f"{obj['id']}:{obj.get('amount_refunded')}",
        reason="refunded at Stripe",
        now=now,
    )
    return "refund_recorded" if recorded else "unchanged"


def _ignore(session: Session, order: Order, obj: dict, now: datetime) -> str:
    return "ignored"


_HANDLERS = {
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _completed,
    "checkout.session.async_payment_failed": _failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _refunded,
}
