"""A product's waitlist: a fan who cannot buy it leaves an email, mailed once if units
come back (storefront.waitlist)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from storefront.catalog.models import Product
from storefront.clock import utcnow
from storefront.extensions import db, limiter
from storefront.shop import bp
from storefront.shop.helpers import locale_code
from storefront.shop.waitlist_forms import WaitlistForm
from storefront.waitlist.services import WaitlistError, join_waitlist


def _signup_rate_limit() -> str:
    return current_app.config["WAITLIST_SIGNUP_RATE_LIMIT"]


@bp.post("/waitlist")
@limiter.limit(_signup_rate_limit)
def waitlist_join():
    """Join the list; a second sign-up of the same fan is told they are on it already."""
    form = WaitlistForm()
    product = db.session.get(Product, form.product_id.data) if form.product_id.data else None
    form.for_product(product)
    if not form.validate_on_submit():
        return _page(form, product, None), 422
    try:
        joined = join_waitlist(
            db.session,
            product_id=form.product_id.data,
            option_id=form.option_id.data,
            email=form.email.data,
            locale=locale_code(),
            now=utcnow(),
        )
    except WaitlistError as error:
        return _page(form, product, error.message), error.status
    notice = (
        _("You are on the list: we will mail you once if it comes back.")
        if joined
        else _("You are on the list already: we will mail you once if it comes back.")
    )
    return _page(None, product, notice)


def _page(form: WaitlistForm | None, product: Product | None, notice: str | None) -> str:
    return render_template("shop/waitlist.html", form=form, product=product, notice=notice)
