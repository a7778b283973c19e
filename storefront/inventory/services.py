"""The label's own stock moves from its stock page: a loss, a count that corrects the
figure, and the product's restock threshold; and the page's line-by-line account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.catalog.models import Product, ProductOption, StockMove, StockReason
from storefront.database import transactional
from storefront.errors import NotEnoughStock
from storefront.inventory.alerts import check_threshold
from storefront.inventory.moves import record_move, take_out
from storefront.inventory.thresholds import running_balance, threshold
from storefront.orders.models import Order

REASONS = {
    StockReason.SALE: _l("Sale"),
    StockReason.RELEASE: _l("Reservation ended"),
    StockReason.STAND_ALLOCATION: _l("To the stand"),
    StockReason.STAND_RETURN: _l("Back from the stand"),
    StockReason.RETURN: _l("Returned by a fan"),
    StockReason.RESTOCK: _l("Restock received"),
    StockReason.CONSIGNMENT: _l("To a distributor"),
    StockReason.CONSIGNMENT_RETURN: _l("Back from a distributor"),
    StockReason.LOSS: _l("Loss"),
    StockReason.CORRECTION: _l("Correction"),
}


class InventoryRefused(CatalogRefused):
    """A stock move the rules refuse; `field` names the form field it concerns."""

    code = "inventory_refused"


def check_item(product: Product, option_id: int | None) -> None:
    """A physical product, with one of its sizes when it has sizes."""
    if not product.is_physical:
        raise InventoryRefused(str(_l("A digital product has no stock.")), field="item")
    if product.has_options != (option_id is not None) or (
        option_id is not None and option_id not in {option.id for option in product.options}
    ):
        raise InventoryRefused(str(_l("Choose the product's size.")), field="item")


@transactional
def record_loss(
    session: Session,
    product: Product,
    *,
    option_id: int | None,
    quantity: int,
    note: str,
    actor: str,
    now: datetime,
) -> StockMove:
    """Units broken, lost or given away leave the stock (a LOSS move)."""
    check_item(product, option_id)
    try:
        return take_out(
            session,
            product,
            option_id=option_id,
            quantity=quantity,
            reason=StockReason.LOSS,
            actor=actor,
            now=now,
            detail=note,
        )
    except NotEnoughStock as shortage:
        raise InventoryRefused(shortage.message, field="quantity") from None


@dataclass(frozen=True)
class Count:
    """What the admin counted of one item (`option_id` None: a product without sizes),
    and the figure the page showed when they started."""

    option_id: int | None
    seen: int
    counted: int


@transactional
def correct_stock(
    session: Session,
    product: Product,
    *,
    counts: Sequence[Count],
    note: str,
    actor: str,
    now: datetime,
) -> list[StockMove]:
    """Set the figures the admin counted on the shelf (a CORRECTION move of each
    difference), all or none, and only where the stock is still what the page showed:
    a sale meanwhile is never overwritten."""
    moves = []
    for count in counts:
        check_item(product, count.option_id)
        if count.counted != count.seen:
            moves.append(_correct(session, product, count, note, actor, now))
    if moves:
        check_threshold(session, product.id, now=now)
    return moves


def _correct(
    session: Session, product: Product, count: Count, note: str, actor: str, now: datetime
) -> StockMove:
    table, row_id = (ProductOption, count.option_id) if count.option_id else (Product, product.id)
    changed = session.execute(
        update(table)
        .where(table.id == row_id, table.stock == count.seen)
        .values(stock=count.counted)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        message = _l("The stock changed while you were counting: check the figures again.")
        raise InventoryRefused(str(message), field=count_field(count.option_id))
    return record_move(
        session,
        product_id=product.id,
        option_id=count.option_id,
        delta=count.counted - count.seen,
        reason=StockReason.CORRECTION,
        actor=actor,
        now=now,
        detail=note or "counted",
    )


def count_field(option_id: int | None) -> str:
    """The count form's field for one item."""
    return f"count-{option_id or 0}"


@transactional
def set_threshold(
    session: Session, product: Product, *, units: int | None, now: datetime
) -> Product:
    """The label's own restock threshold (None: back to a quarter of the last run); the
    alert is re-checked at once against the new figure."""
    product.restock_threshold = units
    session.flush()
    check_threshold(session, product.id, now=now)
    return product


@dataclass(frozen=True)
class LedgerLine:
    at: datetime
    reason: str
    size: str
    detail: str
    delta: int
    balance: int
    actor: str
    order_reference: str | None


@dataclass(frozen=True)
class Ledger:
    """A product's stock explained: the opening figure, then each move and the balance
    after it, the last one being the stock now (sizes: the product's total)."""

    opening: int
    lines: tuple[LedgerLine, ...]
    units_left: int
    threshold: int | None


def stock_ledger(session: Session, product: Product) -> Ledger:
    """Every move of `product`, oldest first, with its running balance."""
    session.refresh(product)
    for option in product.options:
        session.refresh(option)
    moves = session.scalars(
        select(StockMove).where(StockMove.product_id == product.id).order_by(StockMove.id)
    ).all()
    sizes = {option.id: option.label for option in product.options}
    order_ids = {move.order_id for move in moves if move.order_id}
    references = dict(
        session.execute(select(Order.id, Order.reference).where(Order.id.in_(order_ids))).all()
    )
    current = product.units_left or 0
    opening, balances = running_balance(current, [move.delta for move in moves])
    lines = tuple(
        LedgerLine(
            at=move.at,
            reason=str(REASONS.get(move.reason, move.reason)),
            size=sizes.get(move.option_id, ""),
            detail=move.detail,
            delta=move.delta,
            balance=balance,
            actor=move.actor,
            order_reference=references.get(move.order_id),
        )
        for move, balance in zip(moves, balances, strict=True)
    )
    limit = threshold(product.restock_threshold, product.last_run)
    return Ledger(opening, lines, current, limit)
