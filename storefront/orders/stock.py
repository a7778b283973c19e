"""Taking and giving back stock with atomic conditional updates (never read-then-write)."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, ProductOption
from storefront.errors import NotEnoughStock
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import OrderStatus


def take_units(session: Session, *, product: Product, option_id: int | None, quantity: int) -> bool:
    """Take `quantity` units if that many are left; False (and nothing taken) otherwise."""
    if not product.is_physical:
        return True
    table, row_id = (ProductOption, option_id) if option_id else (Product, product.id)
    result = session.execute(
        update(table)
        .where(table.id == row_id, table.stock >= quantity)
        .values(stock=table.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def give_back_units(
    session: Session, *, product: Product, option_id: int | None, quantity: int
) -> None:
    """Return units to stock (an expired or canceled reservation)."""
    if not product.is_physical:
        return
    table, row_id = (ProductOption, option_id) if option_id else (Product, product.id)
    session.execute(
        update(table)
        .where(table.id == row_id)
        .values(stock=table.stock + quantity)
        .execution_options(synchronize_session=False)
    )


def units_left(session: Session, *, product: Product, option_id: int | None) -> int:
    table, row_id = (ProductOption, option_id) if option_id else (Product, product.id)
    return session.scalar(select(table.stock).where(table.id == row_id)) or 0


def take_lines(session: Session, lines: list) -> None:
    """Take stock for every line (objects with product, option_id, quantity, description).

    Lines are taken in a fixed order so two checkouts never wait on each other in a
    cycle; on the first shortage the units already taken are given back and
    NotEnoughStock is raised, so the caller may go on with its transaction.
    """
    ordered = sorted(lines, key=lambda line: (line.product.id, line.option_id or 0))
    for index, line in enumerate(ordered):
        if not take_units(
            session, product=line.product, option_id=line.option_id, quantity=line.quantity
        ):
            give_back_lines(session, ordered[:index])
            left = units_left(session, product=line.product, option_id=line.option_id)
            raise NotEnoughStock(
                line.description, left, product_id=line.product.id, option_id=line.option_id
            )


def take_order_stock(session: Session, order: Order) -> None:
    """Take an order's lines from the shop's stock (`take_lines`); a stand sale's units
    come from its stand instead, which the stand's mechanic takes."""
    if order.takes_main_stock:
        take_lines(session, order.lines)


def give_back_order_stock(session: Session, order: Order) -> None:
    """Put an order's lines back in the shop's stock (not a stand sale's: its mechanic)."""
    if order.takes_main_stock:
        give_back_lines(session, order.lines)


def give_back_lines(session: Session, lines: list) -> None:
    for line in lines:
        give_back_units(
            session, product=line.product, option_id=line.option_id, quantity=line.quantity
        )


def lapsed_units(session: Session, product_ids: set[int], *, now: datetime) -> dict[int, int]:
    """Units per product held by reservations that have run out but are not given back
    yet (the sweeper will): on sale again, as pages must show them without writing."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(OrderLine.product_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.status == OrderStatus.PENDING,
            Order.reserved_until <= now,
            OrderLine.product_id.in_(product_ids),
        )
        .group_by(OrderLine.product_id)
    ).all()
    return dict(rows)


def held_units(
    session: Session, product_ids: set[int], *, now: datetime, option_id: int | None = None
) -> dict[int, tuple[int, datetime]]:
    """Per product (of one size when `option_id` is given), the units held by checkouts
    under way (pending reservations not run out yet) and when the first of them runs
    out: what may come back to stock."""
    if not product_ids:
        return {}
    query = (
        select(OrderLine.product_id, func.sum(OrderLine.quantity), func.min(Order.reserved_until))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.status == OrderStatus.PENDING,
            Order.reserved_until > now,
            OrderLine.product_id.in_(product_ids),
        )
        .group_by(OrderLine.product_id)
    )
    if option_id is not None:
        query = query.where(OrderLine.option_id == option_id)
    rows = session.execute(query).all()
    return {product_id: (units, first) for product_id, units, first in rows}
