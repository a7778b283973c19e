"""Taking and giving back stock with atomic conditional updates (never read-then-write)."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, ProductOption
from storefront.errors import NotEnoughStock


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
            raise NotEnoughStock(line.description, left)


def give_back_lines(session: Session, lines: list) -> None:
    for line in lines:
        give_back_units(
            session, product=line.product, option_id=line.option_id, quantity=line.quantity
        )
