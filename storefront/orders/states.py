"""The order state machine, free of Flask and the database."""

from enum import StrEnum


class Channel(StrEnum):
    """Where an order was made: the shop online, the merch stand at a gig, or a
    distributor (the last two sell units allocated to them from the main stock)."""

    SHOP = "shop"
    STAND = "stand"
    DISTRIBUTOR = "distributor"  # sold by a distributor or a consignment shop, entered later


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"


# A payment may still arrive for an expired or canceled order (the fan paid just after
# the reservation ended): it is honoured (-> paid) or sent back (-> refunded).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.CANCELED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.EXPIRED: frozenset({OrderStatus.PAID, OrderStatus.REFUNDED}),
    OrderStatus.CANCELED: frozenset({OrderStatus.PAID, OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    """Whether an order in `current` may move to `target`."""
    return OrderStatus(target) in TRANSITIONS[OrderStatus(current)]


def sources_of(target: str) -> frozenset[OrderStatus]:
    """The statuses an order may move to `target` from."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)
