"""Paying preorders quickly: orders opened and paid through the real services."""

from __future__ import annotations

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import Buyer, start_checkout
from storefront.orders.models import Order
from storefront.orders.shipping import Zone
from storefront.payments.services import settle_payment

ADDRESS = dict(name="Fan", line1="1 rue du Bruit", postal_code="69001", city="Lyon", country="FR")


def open_order(
    product,
    *,
    quantity: int = 1,
    email: str = "fan@example.org",
    locale: str = "en",
    provider: str = "test",
) -> Order:
    cart = Cart()
    cart.add(CartKey(product.id), quantity)
    priced = price_cart(db.session, cart, Zone.FRANCE)
    return start_checkout(
        db.session,
        cart=priced,
        buyer=Buyer(email=email, locale=locale, **ADDRESS),
        provider=provider,
        now=utcnow(),
        reservation_minutes=30,
    )


def pay(order: Order) -> Order:
    settle_payment(db.session, order, payment_id=f"pi_{order.reference}", now=utcnow())
    return order


def preorder(product, **kwargs) -> Order:
    """Open and pay one order for `product`."""
    return pay(open_order(product, **kwargs))
