"""Home, release pages, media files and the language switch."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, send_from_directory, session

from storefront.catalog.services import home_shelf, release_by_slug
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.cart import MAX_QUANTITY
from storefront.orders.shipping import Zone, delivery_window
from storefront.preorders.public import campaign_summary
from storefront.shop import bp
from storefront.shop.forms import AddToCartForm, LanguageForm
from storefront.shop.helpers import current_cart, locale_code, safe_next
from storefront.shop.offers import Sale, release_offers
from storefront.shop.page_cache import page_cache


@bp.get("/")
def home():
    """Current and upcoming releases."""
    shelf = home_shelf(db.session, today=utcnow().date())
    return render_template("shop/home.html", shelf=shelf)


@bp.get("/releases/<slug>")
def release(slug: str):
    """A release: cover, tracks with previews, credits, formats with price and stock."""
    key = ("release", slug, locale_code(), current_cart().count)
    return page_cache.page(key, lambda: _render_release(slug))


def _render_release(slug: str) -> str:
    now = utcnow()
    found = release_by_slug(db.session, slug)
    if found is None:
        abort(404)
    campaign = campaign_summary(db.session, found, now=now)
    return render_template(
        "shop/release.html",
        release=found,
        offers=release_offers(db.session, found, campaign, now=now),
        sale=Sale,
        max_quantity=MAX_QUANTITY,
        form_for=_add_to_cart_form,
        windows={zone: delivery_window(zone) for zone in Zone},
        upcoming=found.is_upcoming(now.date()),
        campaign=campaign,
    )


def _add_to_cart_form(product) -> AddToCartForm:
    form = AddToCartForm(meta={"csrf": False}, formdata=None, product_id=product.id)
    form.option_id.choices = [
        (option.id, option.label) for option in product.options if option.stock > 0
    ]
    return form


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Covers and audio previews (public files uploaded by the label)."""
    return send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=3600)


@bp.post("/lang")
def switch_language():
    """Remember the fan's language and go back to the page they were on."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data, "/"))
