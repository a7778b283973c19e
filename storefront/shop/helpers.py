"""Small request helpers shared by the shop views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, abort, current_app, make_response, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.discounts.services import DiscountRefused, discount_for
from storefront.extensions import db
from storefront.fans.models import Fan
from storefront.members.discounts import member_pricing
from storefront.orders.cart import Cart, Discount, PricedCart, price_cart
from storefront.orders.models import Order
from storefront.orders.shipping import COUNTRIES, Zone, zone_for


def current_cart() -> Cart:
    return Cart.from_session(session.get("cart"))


def save_cart(cart: Cart) -> None:
    session["cart"] = cart.to_session()


def order_or_404(reference: str) -> Order:
    """The order a page's reference names (unguessable: it is the fan's key), or 404."""
    order = db.session.scalar(select(Order).where(Order.reference == reference))
    if order is None:
        abort(404)
    return order


def current_discount() -> Discount | None:
    """The code the fan applied in the cart, while it is still valid. Used up since (in
    another cart), it is dropped and the fan told why, before any price is charged; the
    caller then shows the full price again."""
    typed = session.get("discount")
    if not isinstance(typed, str):
        return None
    try:
        return discount_for(db.session, typed)
    except DiscountRefused as refused:
        session.pop("discount", None)
        raise CodeLapsed(refused.message) from refused


class CodeLapsed(DiscountRefused):
    """The code kept with the cart was used up in another cart meanwhile."""


def save_discount(code: str | None) -> None:
    if code:
        session["discount"] = code
    else:
        session.pop("discount", None)


def signed_in_fan() -> Fan | None:
    """The fan signed in on this browser; None for guests (and staff sessions)."""
    # A guest's pages never load a user (nor run session protection on their cookie).
    if "_user_id" not in session:
        return None
    user = current_user._get_current_object()
    return user if isinstance(user, Fan) else None


def signed_in_fan_id() -> int | None:
    fan = signed_in_fan()
    return fan.id if fan else None


def membership_grace() -> timedelta:
    return timedelta(days=current_app.config["MEMBERSHIP_GRACE_DAYS"])


def priced_current_cart(zone: Zone | None, discount: Discount | None) -> PricedCart:
    """The cart priced for this buyer now: less the code, and what the signed-in fan's
    membership gives at this moment (read again at every pricing, checkout included)."""
    cart = current_cart()
    member = member_pricing(
        db.session,
        signed_in_fan_id(),
        {key.product_id for key in cart.quantities},
        now=utcnow(),
        grace=membership_grace(),
        floor_percent=current_app.config["DISCOUNT_FLOOR_PERCENT"],
    )
    return price_cart(db.session, cart, zone, discount, member=member)


def ship_country() -> str:
    country = session.get("country", "FR")
    return country if country in COUNTRIES else "FR"


def ship_zone() -> Zone:
    return zone_for(ship_country())


def locale_code() -> str:
    return str(get_locale())


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: a crafted `next` never sends a fan elsewhere."""
    if not target or "\\" in target or any(c.isspace() or ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def no_store(view: Callable[..., object]) -> Callable[..., Response]:
    """For what is meant for one fan only (an address, live links, a private file): no
    browser or shared cache may keep it."""

    @functools.wraps(view)
    def private_view(*args, **kwargs) -> Response:
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return private_view
