"""What the label does with an order: ship it, cancel it unpaid, refund it, send its
confirmation again. Admins only (no `staff_allowed` mark: `access.guard` answers staff
403); each action is one service call, written to the order's history by that service.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from storefront.admin import bp
from storefront.admin.order_forms import ActionForm, RefundForm, ShipForm
from storefront.admin.order_views import order_or_404, order_page
from storefront.clock import utcnow
from storefront.errors import StorefrontError
from storefront.extensions import db
from storefront.mail.messages import resend_confirmation
from storefront.money import format_cents
from storefront.orders.models import Order
from storefront.orders.services import mark_shipped
from storefront.payments.label_actions import RefundRefused, cancel_unpaid_order, refund_part


@bp.post("/orders/<reference>/ship")
def order_ship(reference: str):
    """Mark a paid order shipped with its carrier and tracking number; the fan is mailed."""
    order = order_or_404(reference)
    form = ShipForm(prefix="ship")
    if not form.validate_on_submit():
        return order_page(order, ship_form=form, code=422)
    try:
        mark_shipped(
            db.session,
            order,
            now=utcnow(),
            carrier=form.carrier.data,
            tracking_number=form.tracking_number.data,
            actor=_actor(),
        )
    except StorefrontError as error:
        return _refused(order, error)
    flash(_("Marked shipped; the fan gets a mail with the tracking link."), "success")
    return _back(order)


@bp.post("/orders/<reference>/cancel")
def order_cancel(reference: str):
    """Cancel an unpaid order: its payment is closed and its stock goes back on sale."""
    order = order_or_404(reference)
    if not ActionForm().validate_on_submit():
        return _back(order)
    try:
        canceled = cancel_unpaid_order(db.session, order, now=utcnow(), actor=_actor())
    except StorefrontError as error:
        return _refused(order, error)
    if canceled:
        flash(_("Order canceled; its items are back on sale."), "success")
    else:
        flash(_("The fan paid meanwhile: the order was not canceled."), "error")
    return _back(order)


@bp.post("/orders/<reference>/refund")
def order_refund(reference: str):
    """Refund a paid order, in full or in part, through its own payment provider."""
    order = order_or_404(reference)
    form = RefundForm(prefix="refund")
    if not form.validate_on_submit():
        return order_page(order, refund_form=form, code=422)
    try:
        refund_part(
            db.session,
            order,
            amount_cents=form.amount.data,
            reason=form.reason.data,
            submission=form.submission.data,
            now=utcnow(),
            actor=_actor(),
        )
    except RefundRefused as refusal:
        form.amount.errors = [*form.amount.errors, refusal.message]
        return order_page(order, refund_form=form, code=422)
    except StorefrontError as error:
        return _refused(order, error)
    amount = format_cents(form.amount.data, order.currency, locale=_locale())
    flash(_("Refunded %(amount)s.", amount=amount), "success")
    return _back(order)


@bp.post("/orders/<reference>/resend")
def order_resend(reference: str):
    """Send the confirmation mail of a paid order again."""
    order = order_or_404(reference)
    if not ActionForm().validate_on_submit():
        return _back(order)
    try:
        resend_confirmation(db.session, order, actor=_actor())
    except StorefrontError as error:
        return _refused(order, error)
    flash(_("The confirmation is sent again to %(email)s.", email=order.email), "success")
    return _back(order)


def _actor() -> str:
    return current_user.email


def _locale() -> str:
    return str(get_locale() or "en")


def _refused(order: Order, error: StorefrontError):
    db.session.rollback()
    flash(error.message, "error")
    return _back(order)


def _back(order: Order):
    return redirect(url_for("admin.order_detail", reference=order.reference))
