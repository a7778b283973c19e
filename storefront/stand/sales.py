"""A sale at the stand: an order of channel `stand` tied to the gig, with the same lines,
mechanics (edition draws, downloads, the optional mail) as an online order.

The phone that makes a sale gives it an id of its own: a sale sent twice (a retry after
the venue's signal came back, a double tap) finds the order the first one made. Cash and
the card terminal are paid on the spot; a fan paying on their own phone gets a pending
order, paid through the shop's online provider.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storefront.catalog.models import Product
from storefront.database import transactional
from storefront.orders.checkout import new_reference, order_for_submission
from storefront.orders.fans import fan_key
from storefront.orders.history import EventKind, record_event
from storefront.orders.models import Order, OrderLine
from storefront.orders.services import hold_for_fan, record_payment
from storefront.orders.states import Channel, OrderStatus
from storefront.quests.models import Gig
from storefront.stand.stock import StandRefused, is_reconciled

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")
MAX_UNITS = 20


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
    if not CLIENT_ID.fullmatch(sale.client_id):
        raise StandRefused(_("This sale has no valid id: reload the stand page."))
    if is_reconciled(session, gig):
        raise StandRefused(_("This night's stand is reconciled: it sells no more."))
    order = _new_order(session, gig, sale, key, online_provider, now, reservation_minutes)
    try:
        return _hold(session, order, staff, now)
    except IntegrityError:
        # The same sale, sent twice at once: the other request made it.
        earlier = order_for_submission(session, key)
        if earlier is None:
            raise
        return earlier


@transactional
def _hold(session: Session, order: Order, staff: str, now: datetime) -> Order:
    session.add(order)
    session.flush()
    hold_for_fan(session, order, now=now)  # the stand's mechanic takes its units here
    record_event(session, order, actor=staff, kind=EventKind.PLACED, after=order.status, now=now)
    return order


def _new_order(session, gig, sale, key, online_provider, now, reservation_minutes) -> Order:
    lines = [_line(session, line) for line in sale.lines if line.quantity > 0]
    if not lines:
        raise StandRefused(_("Add something to the sale first."))
    subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
    email = sale.email.strip()
    return Order(
        reference=new_reference(),
        status=OrderStatus.PENDING,
        channel=Channel.STAND,
        gig_id=gig.id,
        email=email,
        # Without an email, each sale is its own fan: anonymous buyers share no cap.
        fan_key=fan_key(email) if email else key,
        checkout_key=key,
        locale=sale.locale,
        currency=lines[0].product.currency,
        subtotal_cents=subtotal,
        shipping_cents=0,
        total_cents=subtotal,
        provider=online_provider if sale.method is PaymentMethod.PHONE else sale.method.value,
        created_at=now,
        reserved_until=now + timedelta(minutes=reservation_minutes),
        stock_held=True,
        lines=lines,
        # No fan typed a seed at the stand: the shop makes one, and the draw log says so.
        client_seed=secrets.token_hex(8),
        client_seed_by_server=True,
    )


def _line(session: Session, line: SaleLine) -> OrderLine:
    product = session.scalar(
        select(Product).where(Product.id == line.product_id).options(joinedload(Product.release))
    )
    option = next((o for o in product.options if o.id == line.option_id), None) if product else None
    if (
        product is None
        or not 1 <= line.quantity <= MAX_UNITS
        or (product.has_options and option is None)
    ):
        raise StandRefused(_("This item is not on the stand."))
    description = f"{product.release.title} — {product.name}"
    return OrderLine(
        product=product,
        option_id=option.id if option else None,
        description=f"{description} ({option.label})" if option else description,
        kind=product.kind,
        unit_price_cents=product.price_cents,
        quantity=line.quantity,
    )


def _settle_on_the_spot(
    session: Session, order: Order, sale: StandSale, staff: str, now: datetime
) -> None:
    """Cash or card: paid now, and handed over across the table (`Order.handed_over`)."""
    record_payment(
        session, order, payment_id=f"{sale.method.value}:{sale.client_id}", now=now, actor=staff
    )
