"""What the label may do with an order, decided here once: the admin page asks which
buttons to show, and the services refuse whatever this says no to."""

from __future__ import annotations

from dataclasses import dataclass

from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from storefront.orders.view import OrderView

SETTLED = (OrderStatus.PAID, OrderStatus.SHIPPED)


def may_ship(order: Order) -> bool:
    """A paid order with something to post may be marked shipped (a stand sale was
    handed over across the table, a distributor's sale left their shelf)."""
    return (
        order.status == OrderStatus.PAID
        and order.has_physical
        and not order.handed_over
        and order.channel != Channel.DISTRIBUTOR
    )


def refundable_cents(order: Order) -> int:
    """What is left to give back of what the order cost."""
    return max(order.total_cents - order.refunded_cents, 0)


def may_refund(order: Order) -> bool:
    """A paid (or shipped) order may be refunded, in full or in part, while money is left;
    not a distributor's sale, settled by their statement rather than by a provider."""
    return (
        order.status in SETTLED
        and order.is_settled
        and refundable_cents(order) > 0
        and order.channel != Channel.DISTRIBUTOR
    )


def may_resend_confirmation(order: Order) -> bool:
    """The confirmation tells about a payment: it is sent again only for a paid order."""
    return order.status in SETTLED


@dataclass(frozen=True)
class OrderActions:
    ship: bool
    cancel: bool
    refund: bool
    resend: bool
    refundable_cents: int


def actions_for(view: OrderView) -> OrderActions:
    """Every action the label may take on the order `view` shows; cancelling is decided
    by the order's one view, as for the fan."""
    order = view.order
    return OrderActions(
        ship=may_ship(order),
        cancel=view.may_cancel,
        refund=may_refund(order),
        resend=may_resend_confirmation(order),
        refundable_cents=refundable_cents(order),
    )
