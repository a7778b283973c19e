"""The cart and the checkout form."""

from __future__ import annotations

import hashlib

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from storefront.clock import utcnow
from storefront.discounts.services import DiscountRefused
from storefront.editions.public import editions_in
from storefront.errors import NotEnoughStock, PaymentError, StorefrontError
from storefront.extensions import db
from storefront.orders.cart import MAX_QUANTITY, Cart, CartKey, Discount, price_cart
from storefront.orders.checkout import Buyer, order_for_submission, start_checkout
from storefront.orders.models import Order
from storefront.orders.services import cancel_order
from storefront.orders.shipping import COUNTRIES, zone_for
from storefront.orders.states import OrderStatus
from storefront.orders.view import cart_view
from storefront.payments.provider import ReturnUrls, checkout_provider_name
from storefront.payments.services import begin_payment
from storefront.shop import bp
from storefront.shop.forms import (
    AddToCartForm,
    CartLineForm,
    CheckoutForm,
    DiscountCodeForm,
    ShippingZoneForm,
)
from storefront.shop.helpers import (
    CodeLapsed,
    current_cart,
    current_discount,
    locale_code,
    order_or_404,
    priced_current_cart,
    save_cart,
    save_discount,
    ship_country,
    ship_zone,
)
from storefront.shop.offers import shortage_message


@bp.app_template_global()
def cart_count() -> int:
    """The header's cart badge: what the cart holds, whatever the cookie says."""
    return current_cart().count


@bp.post("/cart/add")
def add_to_cart():
    """Put a format (and size) of a release in the cart."""
    form = AddToCartForm()
    if not form.validate_on_submit():
        flash(_("Please choose a quantity between 1 and %(most)d.", most=MAX_QUANTITY), "error")
        return redirect(request.referrer or url_for("shop.cart"))
    cart = current_cart()
    cart.add(CartKey(form.product_id.data, form.option_id.data), form.quantity.data)
    priced = price_cart(db.session, cart)
    if not any(line.key.product_id == form.product_id.data for line in priced.lines):
        flash(_("This item is no longer on sale, or a size must be chosen."), "error")
        return redirect(request.referrer or url_for("shop.home"))
    save_cart(cart)
    flash(_("Added to your cart."), "success")
    return redirect(url_for("shop.cart"))


@bp.get("/cart")
def cart():
    """Lines, quantities, subtotal, shipping for the chosen zone and total."""
    zone_form = ShippingZoneForm(request.args, meta={"csrf": False})
    if request.args.get("country") in COUNTRIES:
        session["country"] = request.args["country"]
    zone_form.country.data = ship_country()
    discount, _lapsed = _applied_discount()
    priced = priced_current_cart(ship_zone(), discount)
    line_forms = {
        line.key: CartLineForm(formdata=None, key=line.key.encode(), quantity=line.quantity)
        for line in priced.lines
    }
    return render_template(
        "shop/cart.html",
        cart=priced,
        view=cart_view(db.session, priced, now=utcnow()),
        zone_form=zone_form,
        line_forms=line_forms,
        code_form=DiscountCodeForm(formdata=None, code=priced.discount and priced.discount.code),
    )


@bp.post("/cart/update")
def update_cart():
    """Change a line's quantity, or remove it."""
    form = CartLineForm()
    if form.validate_on_submit():
        cart = current_cart()
        try:
            key = CartKey.decode(form.key.data)
        except ValueError:
            key = None
        if key is not None:
            cart.set(key, 0 if form.remove.data else form.quantity.data)
            save_cart(cart)
    else:
        flash(_("Please choose a quantity between 0 and %(most)d.", most=MAX_QUANTITY), "error")
    return redirect(url_for("shop.cart"))


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    """Email, and an address when something physical is sent; then on to payment."""
    key = _submission_key(request.form.get("submission", ""))
    if key and (earlier := order_for_submission(db.session, key)):
        save_cart(Cart())
        return redirect(_payment_url(earlier))
    discount, lapsed = _applied_discount()
    priced = priced_current_cart(ship_zone(), discount)
    if not priced.lines:
        flash(_("Your cart is empty."), "error")
        return redirect(url_for("shop.cart"))
    editions = editions_in(db.session, {line.product.id for line in priced.lines})
    form = CheckoutForm(
        needs_address=priced.has_physical, editions=editions, country=ship_country()
    )
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("shop/checkout.html", form=form, cart=priced), status
    if lapsed:
        # The total the fan confirmed had the code: show the full one before charging it.
        form.start_afresh()
        return render_template("shop/checkout.html", form=form, cart=priced), 409
    if priced.has_physical and form.country.data != ship_country():
        # The fan must see the shipping price of the country they chose before paying.
        session["country"] = form.country.data
        priced = priced_current_cart(zone_for(form.country.data), discount)
        flash(_("Shipping updated for your country. Please check the total and confirm."), "info")
        return render_template("shop/checkout.html", form=form, cart=priced), 200
    try:
        order = start_checkout(
            db.session,
            cart=priced,
            buyer=_buyer(form),
            provider=checkout_provider_name(),
            now=utcnow(),
            reservation_minutes=current_app.config["RESERVATION_MINUTES"],
            checkout_key=key,
        )
        url = _payment_url(order)
    except StorefrontError as error:
        if isinstance(error, DiscountRefused):
            # Used meanwhile: the fan sees the full price again before paying.
            save_discount(None)
            priced = priced_current_cart(priced.zone, None)
        flash(_refusal(error), "error")
        form.start_afresh()
        return render_template("shop/checkout.html", form=form, cart=priced), error.status
    save_cart(Cart())
    save_discount(None)
    return redirect(url)


def _refusal(error: StorefrontError) -> str:
    """No stock left: say whether it is sold out or held by checkouts that may lapse."""
    if isinstance(error, NotEnoughStock):
        return shortage_message(db.session, error, now=utcnow())
    return error.message


@bp.get("/orders/<reference>/pay")
def order_pay(reference: str):
    """Pay a pending order from another device: the QR a stand shows the fan."""
    order = order_or_404(reference)
    try:
        return redirect(_payment_url(order))
    except PaymentError as error:
        flash(error.message, "error")
        return redirect(url_for("shop.order_page", reference=order.reference))


def _applied_discount() -> tuple[Discount | None, bool]:
    """The cart's code, if still valid; True when it just lapsed (the fan is told)."""
    try:
        return current_discount(), False
    except CodeLapsed as lapsed:
        flash(lapsed.message, "error")
        return None, True


def _submission_key(submission: str) -> str | None:
    """The checkout key of a form submission, bound to this browser's session, so that
    someone who learnt the hidden value cannot reach the order from another browser."""
    if not CheckoutForm.SUBMISSION.fullmatch(submission):
        return None
    binding = session.get("csrf_token", "")
    return hashlib.sha256(f"{binding}:{submission}".encode()).hexdigest()


def _payment_url(order: Order) -> str:
    """Where the fan goes to pay `order` (its own page once it is no longer pending).

    A payment service that does not answer ends the reservation at once."""
    if order.status != OrderStatus.PENDING:
        return url_for("shop.order_page", reference=order.reference)
    try:
        return begin_payment(db.session, order, urls=_return_urls(order.reference))
    except PaymentError:
        cancel_order(db.session, order, now=utcnow())
        raise


def _buyer(form: CheckoutForm) -> Buyer:
    def clean(field) -> str | None:
        return (field.data or "").strip() or None

    return Buyer(
        email=form.email.data.strip(),
        locale=locale_code(),
        name=clean(form.name),
        line1=clean(form.line1),
        line2=clean(form.line2),
        postal_code=clean(form.postal_code),
        city=clean(form.city),
        country=form.country.data,
        client_seed=form.seed,
    )


def _return_urls(reference: str) -> ReturnUrls:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return ReturnUrls(
        success=base + url_for("shop.payment_return", reference=reference),
        cancel=base + url_for("shop.payment_canceled", reference=reference),
    )
