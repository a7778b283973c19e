"""One view of an order and of a cart, built in one place from the order and the
mechanics' facts: the order page, the cart, the mails and the admin all render these,
so a rule (is this line a preorder? is this copy still sealed?) is decided once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from storefront.orders.cart import MAX_QUANTITY, PricedCart
from storefront.orders.mechanics import LineFacts, Section, mechanics
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus


@dataclass(frozen=True)
class LineView:
    description: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    notes: tuple[str, ...]  # "Preorder — ships on 12 March 2027"
    ships_on: date | None


@dataclass(frozen=True)
class OrderView:
    order: Order  # its columns: reference, totals, address, notice
    status: OrderStatus  # as the fan is told it (see `shown_status`)
    lines: tuple[LineView, ...]
    sections: tuple[Section, ...]
    may_cancel: bool  # the fan may still give up this order (the service agrees)
    ships_on: date | None  # the latest promised date among preorders


@dataclass(frozen=True)
class CartLineView:
    key: object
    description: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    units_left: int | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class CartView:
    cart: PricedCart  # totals, zone, currency
    lines: tuple[CartLineView, ...]
    max_quantity: int = MAX_QUANTITY


def order_view(session: Session, order: Order, *, now: datetime) -> OrderView:
    """The order as every screen and mail shows it at `now`."""
    facts = mechanics().order_facts(session, order)
    lines = tuple(_line_view(line, facts.lines.get(line.id, LineFacts())) for line in order.lines)
    dates = [line.ships_on for line in lines if line.ships_on]
    status = shown_status(order, now)
    return OrderView(
        order=order,
        status=status,
        lines=lines,
        sections=tuple(facts.sections),
        may_cancel=status == OrderStatus.PENDING and order.paid_at is None,
        ships_on=max(dates) if dates else None,
    )


def shown_status(order: Order, now: datetime) -> OrderStatus:
    """The order's status as the fan is told it: a reservation that has run out is over
    even before the sweeper gives its stock back (reading a page never writes)."""
    if order.status == OrderStatus.PENDING and order.reserved_until <= now:
        return OrderStatus.EXPIRED
    return OrderStatus(order.status)


def cart_view(session: Session, cart: PricedCart, *, now: datetime) -> CartView:
    """The priced cart with what mechanics say about each line."""
    facts = mechanics().cart_facts(session, cart.lines, now=now)
    lines = tuple(
        CartLineView(
            key=line.key,
            description=line.description,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            total_cents=line.total_cents,
            units_left=line.units_left,
            notes=tuple(facts.get(line.key, LineFacts()).notes),
        )
        for line in cart.lines
    )
    return CartView(cart=cart, lines=lines)


def _line_view(line, facts: LineFacts) -> LineView:
    return LineView(
        description=line.description,
        quantity=line.quantity,
        unit_price_cents=line.unit_price_cents,
        total_cents=line.price_cents,  # the discount is one row under the subtotal
        notes=tuple(facts.notes),
        ships_on=facts.ships_on,
    )
