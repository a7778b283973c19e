"""A sale at the stand: an order of channel `stand` tied to the gig, with the same lines,
mechanics (edition draws, downloads, the optional mail) as an online order.

The phone that makes a sale gives it an id of its own: a sale sent twice (a retry after
the venue's signal came back, a double tap) finds the order the first one made. Cash and
the card terminal are paid on the spot; a fan paying on their own phone gets a pending
order, paid through the shop's online provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.orders.cart import MAX_QUANTITY, Cart, CartKey, PricedCart, price_cart
from storefront.orders.checkout import Buyer, order_for_submission, start_checkout
from storefront.orders.models import Order
from storefront.orders.services import record_payment
from storefront.quests.models import Gig
from storefront.stand.stock import StandRefused, is_reconciled

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")


class PaymentMethod(StrEnum):
    CASH = "cash"
    TERMINAL = "terminal"  # the stand's card reader: recorded, no card data here
    PHONE = "phone"  # the fan pays on their own phone (Stripe, or test payments)


@dataclass(frozen=True)
class SaleLine:
    product_id: int
    option_id: int | None
    quantity: int


@dataclass(frozen=True)
class StandSale:
    client_id: str  # made by the stand's phone, one per sale
    lines: tuple[SaleLine, ...]
    method: PaymentMethod
    email: str = ""
    locale: str = "fr"  # the stand's: the receipt is written in it


def record_sale(
    session: Session,
    gig: Gig,
    sale: StandSale,
    *,
    staff: str,
    online_provider: str,
    now: datetime,
    reservation_minutes: int,
) -> Order:
    """Record `sale` at `gig`'s stand, once however often it is sent: paid at once for
    cash and card, pending for a payment on the fan's phone."""
    key = f"stand:{sale.client_id}"
    order = order_for_submission(session, key)
    if order is None:
        order = _open(session, gig, sale, key, staff, online_provider, now, reservation_minutes)
    if sale.method is not PaymentMethod.PHONE and order.paid_at is None:
        _settle_on_the_spot(session, order, sale, staff, now)
    return order


def _open(session, gig, sale, key, staff, online_provider, now, reservation_minutes) -> Order:
    """The checkout every order goes through, with the stand's cart: its units come from
    the stand (its mechanic), nothing is shipped, staff made it."""
    if not CLIENT_ID.fullmatch(sale.client_id):
        raise StandRefused(_("This sale has no valid id: reload the stand page."))
    if is_reconciled(session, gig):
        raise StandRefused(_("This night's stand is reconciled: it sells no more."))
    return start_checkout(
        session,
        cart=_priced(session, gig, sale),
        buyer=Buyer(email=sale.email.strip(), locale=sale.locale),
        provider=online_provider if sale.method is PaymentMethod.PHONE else sale.method.value,
        now=now,
        reservation_minutes=reservation_minutes,
        checkout_key=key,
        actor=staff,
    )


def _priced(session: Session, gig: Gig, sale: StandSale) -> PricedCart:
    cart = Cart()
    for line in sale.lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise StandRefused(_("This item is not on the stand."))
        cart.add(CartKey(line.product_id, line.option_id), line.quantity)
    priced = price_cart(session, cart, stand_gig_id=gig.id)
    if not priced.lines:
        raise StandRefused(_("Add something to the sale first."))
    if len(priced.lines) != len(cart.quantities):
        raise StandRefused(_("This item is not on the stand."))
    return priced


def _settle_on_the_spot(
    session: Session, order: Order, sale: StandSale, staff: str, now: datetime
) -> None:
    """Cash or card: paid now, and handed over across the table (`Order.handed_over`)."""
    record_payment(
        session, order, payment_id=f"{sale.method.value}:{sale.client_id}", now=now, actor=staff
    )
