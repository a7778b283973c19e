"""A discount code typed in the cart (a quest badge's reward)."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _

from storefront.discounts.services import DiscountRefused, discount_for
from storefront.extensions import db, limiter
from storefront.shop import bp
from storefront.shop.checkout_views import cart
from storefront.shop.forms import DiscountCodeForm
from storefront.shop.helpers import save_discount


def _code_rate_limit() -> str:
    return current_app.config["DISCOUNT_CODE_RATE_LIMIT"]


@bp.post("/cart/code")
@limiter.limit(
    _code_rate_limit,
    deduct_when=lambda response: response.status_code >= 400,
    error_message=lambda: _("Too many tries: wait a minute, then type your code again."),
)
def apply_code():
    """Check the typed code and keep it with the cart; the cart shows what it takes off."""
    form = DiscountCodeForm()
    if form.remove.data:
        save_discount(None)
        flash(_("The code is removed."), "info")
        return redirect(url_for("shop.cart"))
    if not form.validate_on_submit():
        flash(_("Type the code from your passport."), "error")
        return cart(), 422
    try:
        discount = discount_for(db.session, form.code.data)
    except DiscountRefused as refused:
        flash(refused.message, "error")
        return cart(), 422
    save_discount(discount.code)
    flash(_("Code %(code)s applied.", code=discount.code), "success")
    return redirect(url_for("shop.cart"))
