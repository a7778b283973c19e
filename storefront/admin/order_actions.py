"""What the label does with an order: ship it (whole, or a parcel of some units), cancel
it unpaid, refund it, record a return, send its confirmation again. Shipping is
fulfilment, which staff run (`staff_allowed`); the rest is for admins (no mark:
`access.guard` answers staff 403). Each action is one service call, written to the
order's history by that service.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.order_forms import ActionForm, RefundForm, ShipForm
from storefront.admin.order_views import (
    order_or_404,
    order_page,
    parcel_form_for,
    return_form_for,
)
from storefront.clock import utcnow
from storefront.errors import StorefrontError
from storefront.extensions import db
from storefront.fulfilment.models import ReturnOutcome, ReturnReason
from storefront.fulfilment.parcels import ship_parcel
from storefront.fulfilment.returns import ReturnRequest, record_return
from storefront.mail.messages import resend_confirmation
from storefront.money import format_cents
from storefront.orders.models import Order
from storefront.payments.label_actions import RefundRefused, cancel_unpaid_order, refund_part


@bp.post("/orders/<reference>/ship")
@staff_allowed
def order_ship(reference: str):
    """Mark a paid order shipped with its carrier and tracking number; the fan is mailed."""
    order = order_or_404(reference)
    form = ShipForm(prefix="ship")
    if not form.validate_on_submit():
        return order_page(order, ship_form=form, code=422)
    try:
        ship_parcel(
            db.session,
            order,
            quantities=None,  # one parcel with everything left
            carrier=form.carrier.data,
            tracking_number=form.tracking_number.data,
            now=utcnow(),
            actor=_actor(),
        )
    except StorefrontError as error:
        return _refused(order, error)
    flash(_("Marked shipped; the fan gets a mail with the tracking link."), "success")
    return _back(order)


@bp.post("/orders/<reference>/parcel")
@staff_allowed
def order_parcel(reference: str):
    """Post some units of some lines now, the rest later; the fan gets this parcel's link."""
    order = order_or_404(reference)
    form = parcel_form_for(order)
    if form is None:
        flash(_("Nothing of this order waits to ship."), "error")
        return _back(order)
    if not form.validate_on_submit():
        return order_page(order, parcel_form=form, code=422)
    try:
        ship_parcel(
            db.session,
            order,
            quantities=form.quantities(),
            carrier=form.carrier.data,
            tracking_number=form.tracking_number.data,
            now=utcnow(),
            actor=_actor(),
        )
    except StorefrontError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return order_page(order_or_404(reference), parcel_form=form, code=422)
    flash(_("Parcel recorded; the fan gets a mail with its tracking link."), "success")
    return _back(order)


@bp.post("/orders/<reference>/return")
def order_return(reference: str):
    """Record units the fan sent back: restocked or written off, and refunded."""
    order = order_or_404(reference)
    form = return_form_for(order)
    if form is None:
        flash(_("Nothing of this order can come back: nothing left the shop."), "error")
        return _back(order)
    if not form.validate_on_submit():
        return order_page(order, return_form=form, code=422)
    request = ReturnRequest(
        quantities=form.quantities(),
        reason=ReturnReason(form.reason.data),
        outcome=ReturnOutcome(form.outcome.data),
        note=form.note.data or "",
        refund_cents=form.amount.data,
        submission=form.submission.data,
    )
    try:
        returned = record_return(db.session, order, request, now=utcnow(), actor=_actor())
    except StorefrontError as error:
        form.form_errors.append(error.message)
        return order_page(order_or_404(reference), return_form=form, code=422)
    amount = format_cents(returned.refund_cents, order.currency, locale=_locale())
    flash(_("Return recorded; %(amount)s refunded.", amount=amount), "success")
    return _back(order)


@bp.post("/orders/<reference>/cancel")
@staff_allowed
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
@staff_allowed
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
