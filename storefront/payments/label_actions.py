"""What the label does to an order's payment from the admin: cancel an unpaid order,
refund a paid one in full or in part, through the order's own provider.

Each refuses, with a message the admin page shows, what `orders.actions` (and, for
cancelling, the order's one view) says no to.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.errors import InvalidTransition, StorefrontError
from storefront.money import format_cents
from storefront.orders.actions import may_refund, refundable_cents
from storefront.orders.history import EventKind, amount_text, record_event
from storefront.orders.models import Order
from storefront.orders.view import order_view
from storefront.payments.services import abandon_payment, refund_order


class RefundRefused(StorefrontError):
    """The amount or the order does not allow this refund; nothing was asked for."""

    code = "refund_refused"
    status = 422


def cancel_unpaid_order(session: Session, order: Order, *, now: datetime, actor: str) -> bool:
    """Close the order's payment and give its stock back, while the order's view says it
    may be cancelled; False when the provider says it was paid meanwhile."""
    if not order_view(session, order, now=now).may_cancel:
        raise InvalidTransition(
            _(
                "Order %(reference)s is not waiting for payment: it cannot be canceled.",
                reference=order.reference,
            )
        )
    return abandon_payment(session, order, now=now, actor=actor)


def check_refund(order: Order, amount_cents: int) -> None:
    """Refuse (RefundRefused) a refund of `amount_cents` that `order` does not allow."""
    if not may_refund(order):
        raise RefundRefused(_("Only a paid order with money left to give back can be refunded."))
    if amount_cents <= 0:
        raise RefundRefused(_("The amount must be more than 0."))
    left = refundable_cents(order)
    if amount_cents > left:
        shown = format_cents(left, order.currency, locale=str(get_locale() or "en"))
        raise RefundRefused(_("At most %(amount)s is left to refund.", amount=shown))


def refund_part(
    session: Session,
    order: Order,
    *,
    amount_cents: int,
    reason: str,
    submission: str,
    now: datetime,
    actor: str,
) -> bool:
    """Give `amount_cents` back through the order's provider, for `reason`; False when
    the refund was recorded already (Stripe's webhook told it first).

    The idempotency key names the form submission and the amount, so a form sent twice
    asks the provider for one refund, never two."""
    check_refund(order, amount_cents)
    counted = refund_order(
        session,
        order,
        reason=reason,
        now=now,
        amount_cents=amount_cents,
        idempotency_key=f"label-{order.reference}-{submission}-{amount_cents}",
        actor=actor,
    )
    if not counted:
        # The money was counted once already; the history still says who asked for it.
        detail = f"{amount_text(amount_cents, order.currency)}, {reason} (already recorded)"
        record_event(session, order, actor=actor, kind=EventKind.REFUND, detail=detail, now=now)
        session.commit()
    return counted
