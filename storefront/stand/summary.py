"""The end of the night at the stand: units and takings by product and by payment
method, the cash the box should hold, and what the stand holds or brought back.

Also what the stand sells, one place for the stand's grid and its sale form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from storefront.quests.models import Gig
from storefront.stand.models import StandStock
from storefront.stand.sales import PaymentMethod
from storefront.stand.stock import pending_sales, stand_rows

SETTLED = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.REFUNDED)


@dataclass(frozen=True)
class ItemTakings:
    label: str
    units: int
    cents: int


@dataclass(frozen=True)
class NightSummary:
    gig: Gig
    stock: tuple[StandStock, ...]  # allocated, sold, left, brought back, missing
    items: tuple[ItemTakings, ...]  # units and takings by product, refunds taken off
    by_method: dict[PaymentMethod, int]  # takings in cents, refunds taken off
    sales: int  # paid sales (a sale refunded in full counts for nothing)
    pending: int  # waiting for a payment on a fan's phone
    currency: str

    @property
    def total_cents(self) -> int:
        return sum(self.by_method.values())

    @property
    def cash_expected(self) -> int:
        """What the cash box should hold, besides its float."""
        return self.by_method[PaymentMethod.CASH]

    @property
    def reconciled(self) -> bool:
        return any(row.reconciled_at for row in self.stock)


def night_summary(session: Session, gig: Gig) -> NightSummary:
    """What the stand sold at `gig`, and what it holds."""
    orders = session.scalars(
        select(Order)
        .where(
            Order.channel == Channel.STAND,
            Order.gig_id == gig.id,
            Order.paid_at.is_not(None),
            Order.status.in_(SETTLED),
        )
        .options(selectinload(Order.lines))
        .order_by(Order.id)
    ).all()
    by_method = dict.fromkeys(PaymentMethod, 0)
    items: dict[str, list[int]] = {}
    for order in orders:
        by_method[_method(order)] += order.total_cents - order.refunded_cents
        if order.status == OrderStatus.REFUNDED:
            continue
        for line in order.lines:
            units_and_cents = items.setdefault(line.description, [0, 0])
            units_and_cents[0] += line.quantity
            units_and_cents[1] += line.total_cents
    return NightSummary(
        gig=gig,
        stock=tuple(stand_rows(session, gig)),
        items=tuple(ItemTakings(label, *figures) for label, figures in sorted(items.items())),
        by_method=by_method,
        sales=sum(order.status != OrderStatus.REFUNDED for order in orders),
        pending=pending_sales(session, gig),
        currency=orders[0].currency if orders else "EUR",
    )


def _method(order: Order) -> PaymentMethod:
    """Cash and card are providers of their own; anything else was paid online."""
    try:
        return PaymentMethod(order.provider)
    except ValueError:
        return PaymentMethod.PHONE


@dataclass(frozen=True)
class StandTile:
    """A tile of the stand's grid: one product (or size), its price, how many are in
    the sale on the screen, and what is left once they are sold."""

    row: StandStock
    price_cents: int
    currency: str
    in_sale: int

    @property
    def key(self) -> str:
        return item_key(self.row)

    @property
    def left(self) -> int:
        return self.row.left - self.in_sale

    @property
    def may_add(self) -> bool:
        return self.left > 0


def stand_tiles(session: Session, gig: Gig, in_sale: dict[str, int]) -> list[StandTile]:
    """What the stand sells tonight, in the grid's order, with the sale on the screen."""
    return [
        StandTile(row, row.product.price_cents, row.product.currency, in_sale.get(item_key(row), 0))
        for row in stand_rows(session, gig)
        if row.reconciled_at is None
    ]


def item_key(row: StandStock) -> str:
    """How the grid and the sale name an item: "product:option" (option 0: none)."""
    return f"{row.product_id}:{row.option_id or 0}"
