"""Home, release pages, media files and the language switch."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)

from storefront.catalog.services import home_shelf, release_by_slug
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.kpis.visits import count_visit
from storefront.members.benefits import benefits_for
from storefront.members.downloads import free_download
from storefront.members.early import EarlyAccessView, early_access_view
from storefront.orders.cart import MAX_QUANTITY
from storefront.orders.shipping import Zone, delivery_window
from storefront.preorders.public import campaign_summary
from storefront.preorders.services import campaign_for_release
from storefront.shop import bp
from storefront.shop.forms import AddToCartForm, LanguageForm
from storefront.shop.helpers import (
    current_cart,
    locale_code,
    membership_grace,
    safe_next,
    signed_in_fan_id,
)
from storefront.shop.offers import Offer, Sale, release_offers
from storefront.shop.page_cache import page_cache


@bp.get("/")
def home():
    """Current and upcoming releases."""
    shelf = home_shelf(db.session, today=utcnow().date())
    return render_template("shop/home.html", shelf=shelf)


@bp.get("/releases/<slug>")
def release(slug: str):
    """A release: cover, tracks with previews, credits, formats with price and stock."""
    _count_visit(slug)
    fan_id = signed_in_fan_id()
    if fan_id is not None:  # what a membership gives is the fan's own: never cached
        return _render_release(slug, fan_id)
    key = ("release", slug, locale_code(), current_cart().count)
    return page_cache.page(key, lambda: _render_release(slug, None))


def _count_visit(slug: str) -> None:
    # Before the page cache, so cached views count too; no cookie, see kpis.visits.
    headers = request.headers
    count_visit(
        db.session,
        slug=slug,
        secret_key=current_app.secret_key,
        address=request.remote_addr or "",
        user_agent=request.user_agent.string,
        do_not_track="1" in (headers.get("DNT"), headers.get("Sec-GPC")),
        day=utcnow().date(),
    )


def _render_release(slug: str, fan_id: int | None) -> str:
    now, grace = utcnow(), membership_grace()
    found = release_by_slug(db.session, slug)
    if found is None:
        abort(404)
    campaign = campaign_summary(db.session, found, now=now)
    benefits = benefits_for(db.session, fan_id, now=now, grace=grace)
    early = early_access_view(
        db.session, campaign and campaign_for_release(db.session, found.id), benefits, now=now
    )
    return render_template(
        "shop/release.html",
        release=found,
        offers=_with_early_access(release_offers(db.session, found, campaign, now=now), early),
        early=early,
        free_download=free_download(db.session, fan_id, found, now=now, grace=grace),
        sale=Sale,
        max_quantity=MAX_QUANTITY,
        form_for=_add_to_cart_form,
        windows={zone: delivery_window(zone) for zone in Zone},
        upcoming=found.is_upcoming(now.date()),
        campaign=campaign,
    )


def _with_early_access(offers: list[Offer], early: EarlyAccessView | None) -> list[Offer]:
    """A member in their early window may put the campaign's products in the cart."""
    if early is None or not early.open_for_you:
        return offers
    return [
        replace(offer, sale=Sale.SOLD_OUT if offer.stock == "sold_out" else Sale.CART)
        if offer.sale == Sale.OPENS_LATER
        else offer
        for offer in offers
    ]


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
