"""Refused payments as the label reads them on an order's admin page."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.money import format_cents
from storefront.orders.models import Order
from storefront.payments.models import PaymentProblem
from storefront.payments.problems import WRONG_PROVIDER, owes_refund, problems_of


def problem_notes(session: Session, order: Order) -> list[str]:
    """One sentence per refused payment of `order`: what came, and where the money is."""
    return [_note(problem, order) for problem in problems_of(session, order)]


def _note(problem: PaymentProblem, order: Order) -> str:
    return f"{_what(problem, order)}; {_money_status(problem)}"


def _what(problem: PaymentProblem, order: Order) -> str:
    if problem.kind == WRONG_PROVIDER:
        return _(
            "Stripe event refused: this order is paid through “%(provider)s”, not Stripe",
            provider=order.provider,
        )
    if problem.amount_cents is None:
        return _("Payment refused: no amount")
    return _(
        "Payment refused: amount %(paid)s instead of %(due)s",
        paid=_money(problem.amount_cents, problem.currency or order.currency),
        due=_money(order.total_cents, order.currency),
    )


def _money_status(problem: PaymentProblem) -> str:
    if problem.refund_id:
        return _("refunded %(refund)s", refund=problem.refund_id)
    if owes_refund(problem):
        return _("refund failed so far, retried by “payments reconcile”")
    if problem.payment_id:
        return _(
            "not refunded by the shop: check payment %(payment)s at Stripe",
            payment=problem.payment_id,
        )
    return _("no money was taken")


def _money(cents: int, currency: str) -> str:
    return format_cents(cents, currency, str(get_locale()))
