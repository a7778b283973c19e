"""Starting a checkout: reserve the cart's stock and open a pending order."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.errors import EmptyCart, NotEnoughStock, StorefrontError
from storefront.orders.cart import PricedCart
from storefront.orders.fans import fan_key
from storefront.orders.history import FAN, EventKind, record_event
from storefront.orders.mechanics import mechanics
from storefront.orders.models import Order, OrderLine
from storefront.orders.services import expire_due_orders, hold_for_fan
from storefront.orders.states import Channel, OrderStatus
from storefront.orders.stock import take_order_stock


@dataclass(frozen=True)
class Buyer:
    """Who pays and, when something physical is sent, where it goes."""

    email: str
    locale: str = "fr"
    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    client_seed: str | None = None


class AddressRequired(StorefrontError):
    code = "address_required"


def new_reference() -> str:
    """An unguessable public order reference (80 random bits)."""
    return secrets.token_urlsafe(10)


def start_checkout(
    session: Session,
    *,
    cart: PricedCart,
    buyer: Buyer,
    provider: str,
    now: datetime,
    reservation_minutes: int,
    checkout_key: str | None = None,
    actor: str = FAN,
) -> Order:
    """Reserve every line of the cart and open a pending order, or raise and take nothing.

    When stock is short, reservations that have run out are given back first and the
    checkout is tried once more: expiry is applied lazily, when it matters. A
    `checkout_key` names one submission of the checkout form: submitted again (a retry
    after a crash, a double tap), it gets the order the first submission opened. A cart
    priced at a gig's stand makes a stand sale (`actor`: the staff member selling).
    """
    if checkout_key and (earlier := order_for_submission(session, checkout_key)):
        return earlier
    if not cart.lines:
        raise EmptyCart()
    posted = cart.has_physical and cart.stand_gig_id is None
    if posted and not (buyer.name and buyer.line1 and buyer.city and buyer.country):
        raise AddressRequired(_l("A shipping address is needed for physical items."))
    mechanics().check_cart(session, lines=cart.lines, email=buyer.email, now=now)
    order = _new_order(cart, buyer, provider, now, timedelta(minutes=reservation_minutes))
    order.checkout_key = checkout_key
    try:
        return _reserve_once(session, order, actor, now)
    except NotEnoughStock:
        if not expire_due_orders(session, now=now):
            raise
    return _reserve_once(session, order, actor, now)


def order_for_submission(session: Session, checkout_key: str) -> Order | None:
    """The order a submission of the checkout form opened, if it did."""
    return session.scalar(select(Order).where(Order.checkout_key == checkout_key))


def _reserve_once(session: Session, order: Order, actor: str, now: datetime) -> Order:
    # The same submission arriving twice at once: the unique key lets one order in, and
    # the other request gets that order (its own reservation is rolled back).
    try:
        return _reserve(session, order, actor, now)
    except (IntegrityError, NotEnoughStock):
        earlier = order.checkout_key and order_for_submission(session, order.checkout_key)
        if not earlier:
            raise
        return earlier


@transactional
def _reserve(session: Session, order: Order, actor: str, now: datetime) -> Order:
    take_order_stock(session, order)
    session.add(order)
    session.flush()
    hold_for_fan(session, order, now=now)  # a stand sale's units are taken here
    record_event(session, order, actor=actor, kind=EventKind.PLACED, after=order.status, now=now)
    return order


def _new_order(
    cart: PricedCart, buyer: Buyer, provider: str, now: datetime, hold: timedelta
) -> Order:
    order = Order(
        reference=new_reference(),
        status=OrderStatus.PENDING,
        email=buyer.email,
        locale=buyer.locale,
        currency=cart.currency,
        subtotal_cents=cart.subtotal_cents,
        discount_cents=cart.discount_cents,
        shipping_cents=cart.shipping_cents,
        total_cents=cart.total_cents,
        shipping_zone=cart.zone if cart.has_physical else None,
        provider=provider,
        created_at=now,
        reserved_until=now + hold,
        stock_held=True,
        lines=[_order_line(line, cart.discount_of(line)) for line in cart.lines],
    )
    # Without an email (a stand sale), the order is its own fan: no cap is shared.
    order.fan_key = fan_key(buyer.email) if buyer.email else f"order:{order.reference}"
    # Set here, not left to the column's default: the stock is taken before the INSERT.
    order.channel = Channel.SHOP if cart.stand_gig_id is None else Channel.STAND
    order.gig_id = cart.stand_gig_id
    if cart.discount:
        order.discount_code_id = cart.discount.code_id
    order.discount_label = cart.discount_label  # the code's and the member discount's
    if cart.has_physical and cart.stand_gig_id is None:
        _set_address(order, buyer)
    order.client_seed = buyer.client_seed or secrets.token_hex(8)
    order.client_seed_by_server = not buyer.client_seed
    return order


def _order_line(line, discount_cents: int) -> OrderLine:
    return OrderLine(
        product=line.product,
        option_id=line.option_id,
        description=line.description,
        kind=line.product.kind,
        unit_price_cents=line.unit_price_cents,
        quantity=line.quantity,
        discount_cents=discount_cents,
    )


def _set_address(order: Order, buyer: Buyer) -> None:
    order.ship_name = buyer.name
    order.ship_line1 = buyer.line1
    order.ship_line2 = buyer.line2
    order.ship_postal_code = buyer.postal_code
    order.ship_city = buyer.city
    order.ship_country = buyer.country
