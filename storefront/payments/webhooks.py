"""Stripe webhook events: verified, checked, stored by id, applied once."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.database import add_once
from storefront.orders.history import STRIPE, EventKind, record_event
from storefront.orders.models import Order
from storefront.orders.services import expire_order, record_refunds
from storefront.payments.events import (
    CHARGE_REFUNDED,
    SESSION_EXPIRED,
    SESSION_FAILED,
    SESSION_PAID,
    StripeEvent,
)
from storefront.payments.models import PaymentEvent
from storefront.payments.problems import (
    WRONG_PROVIDER,
    Payment,
    payment_mismatch,
    refuse_payment,
)
from storefront.payments.services import fail_payment, settle_payment
from storefront.payments.stripe import StripeProvider
from storefront.payments.stripe_refunds import charge_refunds

log = logging.getLogger(__name__)

STRIPE_REFUND_REASON = "refunded at Stripe"


@dataclass(frozen=True)
class EventRoute:
    """Stripe events another domain applies (memberships: subscriptions, invoices, their
    checkout sessions), listed in create_app as app.extensions["stripe_event_routes"]:
    payments hands them over without importing that domain. `claims` reads the verified
    event's JSON; `apply(session, payload, now)` returns the outcome and may raise
    InvalidEvent for a field it cannot read."""

    claims: Callable[[dict], bool]
    apply: Callable[[Session, dict, datetime], str]


def route_event(
    session: Session, routes: Iterable[EventRoute], body: str, *, now: datetime
) -> str | None:
    """The outcome of the first route claiming the event; None when it is an order's."""
    payload = json.loads(body)  # parse_event has read it already: a JSON object
    for route in routes:
        if route.claims(payload):
            return route.apply(session, payload, now)
    return None


def apply_event(session: Session, event: StripeEvent, *, now: datetime) -> str:
    """Apply one verified Stripe event; returns what happened (for logs and tests).

    The event id is written before the change and committed with it: a second
    delivery of the same id finds it and does nothing, even when both arrive at once,
    and an event whose change failed is not marked as seen.
    """
    order = _order_for(session, event) if event.is_handled else None
    event = _with_refunds(event, order)
    record = PaymentEvent(
        id=event.id, type=event.type, order_reference=order.reference if order else None
    )
    if not add_once(session, record):
        return "duplicate"
    outcome = _apply(session, order, event, now) if order is not None else "ignored"
    record.outcome = outcome
    session.commit()
    return outcome


def _apply(session: Session, order: Order, event: StripeEvent, now: datetime) -> str:
    before = order.status
    if order.provider != StripeProvider.name:
        # Stripe has no payment of this order to act on (a test-payment order): the
        # label is told, the order is left alone.
        outcome = _refuse(session, order, event, WRONG_PROVIDER, now)
    else:
        outcome = _HANDLERS[event.type](session, order, event, now)
    # Written once the event is applied, with it: which event, what came of it.
    detail = f"{event.type} {event.id}: {outcome}"
    record_event(
        session,
        order,
        actor=STRIPE,
        kind=EventKind.PROVIDER,
        detail=detail,
        before=before,
        after=order.status,
        now=now,
    )
    return outcome


def _with_refunds(event: StripeEvent, order: Order | None) -> StripeEvent:
    """A charge.refunded event that does not list every refund of its charge (recent API
    versions list none) gets them from Stripe, before anything is written: no lock is
    held while Stripe answers, and when it does not, nothing is recorded (Stripe retries)."""
    if (
        event.type != CHARGE_REFUNDED
        or event.refunds is not None
        or order is None
        or order.provider != StripeProvider.name
    ):
        return event
    return replace(event, refunds=charge_refunds(event.object_id or ""))


def _order_for(session: Session, event: StripeEvent) -> Order | None:
    if event.type == CHARGE_REFUNDED:
        column, value = Order.provider_payment_id, event.payment_intent
    else:
        column, value = Order.reference, event.reference
    return session.scalar(select(Order).where(column == value)) if value else None


def _completed(session: Session, order: Order, event: StripeEvent, now: datetime) -> str:
    # Delayed methods (SEPA debit...) complete the session unpaid; their money comes
    # with checkout.session.async_payment_succeeded.
    if event.payment_status not in ("paid", "no_payment_required"):
        return "awaiting_payment"
    if kind := payment_mismatch(order, _payment(event)):
        return _refuse(session, order, event, kind, now)
    payment_id = event.payment_intent or ""
    return settle_payment(session, order, payment_id=payment_id, now=now, actor=STRIPE)


def _failed(session: Session, order: Order, event: StripeEvent, now: datetime) -> str:
    return "canceled" if fail_payment(session, order, now=now, actor=STRIPE) else "unchanged"


def _expired(session: Session, order: Order, event: StripeEvent, now: datetime) -> str:
    return "expired" if expire_order(session, order, now=now, actor=STRIPE) else "unchanged"


def _refunded(session: Session, order: Order, event: StripeEvent, now: datetime) -> str:
    # Each refund is recorded under Stripe's id, the id `refund_order` records too: a
    # refund made from the admin and told again here is counted once, whichever comes
    # first, and a replayed or stale event finds every refund it lists known already.
    given = [
        (refund.id, refund.amount) for refund in reversed(event.refunds or ()) if refund.counts
    ]
    recorded = record_refunds(
        session, order, given, reason=STRIPE_REFUND_REASON, now=now, actor=STRIPE
    )
    return "refund_recorded" if recorded else "unchanged"


def _payment(event: StripeEvent) -> Payment:
    taken = event.payment_status == "paid" and event.payment_intent
    return Payment(
        provider=StripeProvider.name,
        amount_cents=event.amount_total,
        currency=event.currency,
        payment_id=event.payment_intent if taken else None,
    )


def _refuse(session: Session, order: Order, event: StripeEvent, kind: str, now: datetime) -> str:
    detail = _describe(event, order)
    log.warning("stripe event %s refused (%s): %s", event.id, kind, detail)
    refused = refuse_payment(
        session, order, _payment(event), kind=kind, detail=detail, event_id=event.id, now=now
    )
    return f"refused_{kind}" if refused else "unchanged"


def _describe(event: StripeEvent, order: Order) -> str:
    """For the record: what the event said against what the order expects."""
    paid = f" {event.amount_total} {event.currency}" if event.amount_total is not None else ""
    return (
        f"{event.type}{paid} ({event.payment_status or 'no payment status'}); order "
        f"{order.reference}: {order.total_cents} {order.currency} through {order.provider}"
    )


_HANDLERS = {
    **dict.fromkeys(SESSION_PAID, _completed),
    SESSION_FAILED: _failed,
    SESSION_EXPIRED: _expired,
    CHARGE_REFUNDED: _refunded,
}
