"""Payments the shop refuses to apply: the wrong amount, currency or provider.

The order stays as it was, the label sees the problem on the order's admin page, and
money taken for it goes back through the provider (retried by `reconcile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.errors import PaymentError
from storefront.orders.models import Order
from storefront.payments.models import PaymentProblem
from storefront.payments.provider import get_provider

log = logging.getLogger(__name__)

AMOUNT_MISMATCH = "amount_mismatch"
CURRENCY_MISMATCH = "currency_mismatch"
WRONG_PROVIDER = "wrong_provider"
# Only a payment through the order's own provider is refunded by the shop: a Stripe
# payment naming a test-payment order is recorded for the label, who decides.
REFUNDED_KINDS = (AMOUNT_MISMATCH, CURRENCY_MISMATCH)


@dataclass(frozen=True)
class Payment:
    """What a provider says was paid towards an order."""

    provider: str
    amount_cents: int | None
    currency: str | None
    payment_id: str | None  # set only when money was actually taken


def payment_mismatch(order: Order, payment: Payment) -> str | None:
    """Why `payment` cannot settle `order` (a problem kind), or None when it can."""
    if payment.provider != order.provider:
        return WRONG_PROVIDER
    # Stripe writes currencies in lower case ("eur"), orders in upper case ("EUR").
    if (payment.currency or "").lower() != order.currency.lower():
        return CURRENCY_MISMATCH
    if payment.amount_cents != order.total_cents:
        return AMOUNT_MISMATCH
    return None


def refuse_payment(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    kind: str,
    detail: str,
    event_id: str | None,
    now: datetime,
) -> bool:
    """Record that `payment` was not applied to `order`, and give its money back.

    False when this payment was refused already (another event, or reconcile, saw it).
    The problem is committed before the refund is asked for, so a provider failure or a
    crash leaves it unrefunded for `reconcile`, which asks again with the same key.
    """
    if _already_refused(session, order, payment, kind):
        return False
    problem = PaymentProblem(
        order_id=order.id,
        event_id=event_id,
        kind=kind,
        detail=detail,
        amount_cents=payment.amount_cents,
        currency=payment.currency.upper() if payment.currency else None,
        payment_id=payment.payment_id,
        created_at=now,
    )
    session.add(problem)
    if owes_refund(problem):
        _tell_the_fan(order)
    session.commit()
    if owes_refund(problem):
        refund_problem(session, order, problem)
    return True


def _tell_the_fan(order: Order) -> None:
    with force_locale(order.locale):
        order.notice = _(
            "Your payment did not match this order, so it was not accepted and is sent back "
            "to you in full. Nothing is owed: you can check out again."
        )


def refund_problem(session: Session, order: Order, problem: PaymentProblem) -> bool:
    """Send a refused payment's money back; False (logged) when the provider fails.

    The key names the refused payment: every attempt, from the webhook or `reconcile`,
    asks for the same refund, and two events about one payment never refund it twice.
    """
    try:
        problem.refund_id = get_provider(order.provider).refund(
            order,
            amount_cents=problem.amount_cents,
            idempotency_key=f"problem-{problem.payment_id}",
            payment_id=problem.payment_id,
        )
    except PaymentError:
        log.exception("refund of refused payment %s failed, left to reconcile", problem.payment_id)
        return False
    session.commit()
    return True


def refund_refused_payments(session: Session) -> tuple[int, int]:
    """Refunds of refused payments that failed before; (refunded now, failed again)."""
    owed = session.scalars(
        select(PaymentProblem)
        .where(
            PaymentProblem.refund_id.is_(None),
            PaymentProblem.payment_id.is_not(None),
            PaymentProblem.amount_cents > 0,
            PaymentProblem.kind.in_(REFUNDED_KINDS),
        )
        .order_by(PaymentProblem.id)
    ).all()
    refunded = failed = 0
    for problem in owed:
        if refund_problem(session, session.get(Order, problem.order_id), problem):
            refunded += 1
        else:
            failed += 1
    return refunded, failed


def problems_of(session: Session, order: Order) -> list[PaymentProblem]:
    """The order's refused payments, oldest first."""
    return list(
        session.scalars(
            select(PaymentProblem)
            .where(PaymentProblem.order_id == order.id)
            .order_by(PaymentProblem.id)
        )
    )


def orders_with_problems(session: Session, orders: list[Order]) -> set[int]:
    """The ids of those of `orders` that have a refused payment."""
    ids = [order.id for order in orders]
    return set(
        session.scalars(select(PaymentProblem.order_id).where(PaymentProblem.order_id.in_(ids)))
    )


def owes_refund(problem: PaymentProblem) -> bool:
    """Money was taken for this refused payment and the shop gives it back."""
    # The same rule as the query in `refund_refused_payments`.
    return bool(
        problem.kind in REFUNDED_KINDS and problem.payment_id and (problem.amount_cents or 0) > 0
    )


def _already_refused(session: Session, order: Order, payment: Payment, kind: str) -> bool:
    return (
        session.scalar(
            select(PaymentProblem.id).where(
                PaymentProblem.order_id == order.id,
                PaymentProblem.kind == kind,
                PaymentProblem.payment_id.is_not_distinct_from(payment.payment_id),
            )
        )
        is not None
    )
