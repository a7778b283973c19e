"""The fan's order page, payment returns, test payments and downloads."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from storefront.clock import utcnow
from storefront.delivery.services import (
    download_token,
    grants_for,
    reissue_grants,
    reissues_left,
    use_download,
)
from storefront.errors import DownloadUnavailable
from storefront.extensions import db, limiter
from storefront.orders.cart import Cart, CartKey
from storefront.orders.history import FAN
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus
from storefront.orders.view import order_view
from storefront.payments.services import abandon_payment, fail_payment, settle_payment
from storefront.shop import bp
from storefront.shop.forms import CancelOrderForm, ConfirmForm, TestPaymentForm
from storefront.shop.helpers import current_cart, no_store, order_or_404, save_cart

# Unless the configuration says otherwise: fresh links per download grant, and how often
# anyone may ask for them.


@bp.get("/orders/<reference>")
@no_store
def order_page(reference: str):
    """Where the order stands, what it holds, its downloads."""
    order = order_or_404(reference)
    grants = grants_for(db.session, order)
    links = {grant.order_line_id: download_token(grant) for grant in grants}
    return render_template(
        "shop/order.html",
        order=order,
        grants=grants,
        links=links,
        reissue_form=ConfirmForm(),
        reissues_left=reissues_left(grants, limit=_reissue_limit()),
        cancel_form=CancelOrderForm(),
        status=OrderStatus,
        view=order_view(db.session, order, now=utcnow()),
    )


@bp.get("/orders/<reference>/paid")
def payment_return(reference: str):
    """Back from the payment page: the webhook may still be on its way."""
    order = order_or_404(reference)
    if order.status == OrderStatus.PENDING:
        flash(
            _("Thank you! The payment confirmation is on its way: reload in a moment."),
            "info",
        )
    return redirect(url_for("shop.order_page", reference=order.reference))


@bp.get("/orders/<reference>/canceled")
def payment_canceled(reference: str):
    """The fan left the payment page: show the order, where they may cancel it (a GET
    changes nothing: links are followed by browsers, previews and crawlers too)."""
    order = order_or_404(reference)
    if order.status == OrderStatus.PENDING:
        flash(_("The payment was not finished. Your items are still held for you."), "info")
    return redirect(url_for("shop.order_page", reference=order.reference))


@bp.post("/orders/<reference>/cancel")
def cancel_pending_order(reference: str):
    """Cancel a pending order: release the reservation, put the items back in the cart."""
    order = order_or_404(reference)
    if CancelOrderForm().validate_on_submit() and _abandon(order):
        return redirect(url_for("shop.cart"))
    return redirect(url_for("shop.order_page", reference=order.reference))


def _abandon(order: Order) -> bool:
    """Cancel a pending order and refill the cart; False if it was paid meanwhile (or is
    no longer pending)."""
    if order.status != OrderStatus.PENDING:
        return False
    if not abandon_payment(db.session, order, now=utcnow(), actor=FAN):
        return False
    _refill_cart(order)
    flash(_("Payment canceled. Your items are back in your cart."), "info")
    return True


def _refill_cart(order: Order) -> None:
    cart = current_cart() or Cart()
    for line in order.lines:
        cart.add(CartKey(line.product_id, line.option_id), line.quantity)
    save_cart(cart)


@bp.route("/pay/test/<reference>", methods=["GET", "POST"])
@no_store
def test_payment(reference: str):
    """The TEST payment page: Pay, Fail or Cancel drive the real order state machine."""
    if not current_app.config["TEST_PAYMENTS"]:
        abort(404)
    order = order_or_404(reference)
    if order.provider != "test":
        abort(404)
    form = TestPaymentForm()
    if not form.validate_on_submit():
        return render_template("shop/test_payment.html", order=order, form=form)
    now = utcnow()
    if form.pay.data:
        payment_id = f"test_pi_{order.reference}"
        settle_payment(db.session, order, payment_id=payment_id, now=now, actor=FAN)
        return redirect(url_for("shop.payment_return", reference=reference))
    if form.fail.data:
        fail_payment(db.session, order, now=now, actor=FAN)
        flash(_("The test payment failed. Nothing was charged."), "error")
        return redirect(url_for("shop.order_page", reference=reference))
    if _abandon(order):
        return redirect(url_for("shop.cart"))
    return redirect(url_for("shop.order_page", reference=reference))


def _reissue_limit() -> int:
    return current_app.config["DOWNLOAD_REISSUE_LIMIT"]


def _reissue_rate_limit() -> str:
    return current_app.config["DOWNLOAD_REISSUE_RATE_LIMIT"]


def _too_many_reissues() -> str:
    return _("Too many requests for new links: please wait a while, then try again.")


# Per order (a leaked reference asked from many addresses) and per address (one visitor
# trying many references): each within the rate limit.
@bp.post("/orders/<reference>/downloads")
@limiter.limit(
    _reissue_rate_limit,
    key_func=lambda: f"order:{request.view_args['reference']}",
    error_message=_too_many_reissues,
)
@limiter.limit(_reissue_rate_limit, key_func=get_remote_address, error_message=_too_many_reissues)
def reissue_downloads(reference: str):
    """New download links: the old ones stop working, the count starts again."""
    order = order_or_404(reference)
    if ConfirmForm().validate_on_submit():
        try:
            reissue_grants(db.session, order, now=utcnow(), limit=_reissue_limit())
            flash(_("New download links are ready below."), "success")
        except DownloadUnavailable as error:
            flash(error.message, "error")
    return redirect(url_for("shop.order_page", reference=reference))


@bp.get("/downloads/<token>")
@no_store
def download(token: str):
    """Send a purchased file, if the link is valid, fresh and not used up."""
    try:
        path = use_download(db.session, token, now=utcnow())
    except DownloadUnavailable as error:
        return render_template(
            "error.html", code=410, title=_("Download unavailable"), message=error.message
        ), 410
    return send_file(path, as_attachment=True, download_name=path.name)
