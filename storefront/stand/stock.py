"""The stand's stock: units allocated from the main stock before a gig, taken by its
sales, and reconciled after the night (what comes back returns to the main stock).

Every change of the main stock here is a stock move with its reason."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.admin_services import CatalogRefused
from storefront.catalog.models import Product, StockReason
from storefront.database import transactional
from storefront.errors import NotEnoughStock
from storefront.inventory.moves import put_back, take_out
from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from storefront.quests.models import Gig
from storefront.stand.models import StandStock


class StandRefused(CatalogRefused):
    code = "stand_refused"


def stand_rows(session: Session, gig: Gig, *, lock: bool = False) -> list[StandStock]:
    """What the gig's stand holds, product by product (`lock`: until commit, so no sale
    moves a row while the night is counted)."""
    query = (
        select(StandStock)
        .where(StandStock.gig_id == gig.id)
        .options(selectinload(StandStock.product).selectinload(Product.release))
        .order_by(StandStock.product_id, StandStock.option_id)
    )
    if lock:
        query = query.with_for_update(of=StandStock).execution_options(populate_existing=True)
    return list(session.scalars(query))


def open_stands(session: Session) -> list[Gig]:
    """The gigs whose stand holds stock not counted back yet, soonest first."""
    holding = select(StandStock.gig_id).where(StandStock.reconciled_at.is_(None))
    return list(session.scalars(select(Gig).where(Gig.id.in_(holding)).order_by(Gig.doors_at)))


def is_reconciled(session: Session, gig: Gig) -> bool:
    """The night is counted: the stand sells no more."""
    return (
        session.scalar(
            select(StandStock.id)
            .where(StandStock.gig_id == gig.id, StandStock.reconciled_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def _detail(gig: Gig) -> str:
    return f"{gig.city}, {gig.doors_at:%Y-%m-%d} (gig {gig.id})"


@transactional
def allocate(
    session: Session,
    gig: Gig,
    product: Product,
    *,
    option_id: int | None,
    units: int,
    actor: str,
    now: datetime,
) -> StandStock:
    """Take `units` of a product (or size) from the main stock to the gig's stand."""
    if is_reconciled(session, gig):
        raise StandRefused(_("This night's stand is reconciled: it takes no more stock."))
    if not product.is_physical or (product.has_options and not option_id):
        raise StandRefused(_("Choose a physical product (and its size)."), field="item")
    try:
        take_out(
            session,
            product,
            option_id=option_id,
            quantity=units,
            reason=StockReason.STAND_ALLOCATION,
            actor=actor,
            now=now,
            detail=_detail(gig),
        )
    except NotEnoughStock as shortage:
        message = str(NotEnoughStock(product.name, shortage.left))
        raise StandRefused(message, field="units") from None
    row = session.scalar(
        select(StandStock).filter_by(gig_id=gig.id, product_id=product.id, option_id=option_id)
    )
    if row is None:
        row = StandStock(gig_id=gig.id, product=product, option_id=option_id, sold=0, allocated=0)
        session.add(row)
        session.flush()
    session.execute(
        update(StandStock)
        .where(StandStock.id == row.id)
        .values(allocated=StandStock.allocated + units)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return row


def take_stand_units(session: Session, order: Order) -> None:
    """Take a stand sale's lines from its gig's stand; NotEnoughStock (nothing taken)
    when a line has fewer units left there."""
    taken: list[tuple[int, int]] = []
    for line in sorted(order.lines, key=lambda line: (line.product_id, line.option_id or 0)):
        row_id = session.scalar(
            select(StandStock.id).filter_by(
                gig_id=order.gig_id, product_id=line.product_id, option_id=line.option_id
            )
        )
        took = (
            row_id is not None
            and session.execute(
                update(StandStock)
                .where(
                    StandStock.id == row_id,
                    StandStock.reconciled_at.is_(None),
                    StandStock.allocated - StandStock.sold >= line.quantity,
                )
                .values(sold=StandStock.sold + line.quantity)
                .execution_options(synchronize_session=False)
            ).rowcount
        )
        if not took:
            _give_back(session, taken)
            left = session.scalar(
                select(StandStock.allocated - StandStock.sold).where(StandStock.id == row_id)
            )
            raise NotEnoughStock(line.description, left or 0)
        taken.append((row_id, line.quantity))


def give_back_stand_units(session: Session, order: Order) -> None:
    """A stand sale that was never paid (the fan's phone gave up): its units are the
    stand's again."""
    rows = []
    for line in order.lines:
        row_id = session.scalar(
            select(StandStock.id).filter_by(
                gig_id=order.gig_id, product_id=line.product_id, option_id=line.option_id
            )
        )
        if row_id is not None:
            rows.append((row_id, line.quantity))
    _give_back(session, rows)


def _give_back(session: Session, rows: list[tuple[int, int]]) -> None:
    for row_id, quantity in rows:
        session.execute(
            update(StandStock)
            .where(StandStock.id == row_id)
            .values(sold=StandStock.sold - quantity)
            .execution_options(synchronize_session=False)
        )


def stand_dependents(session: Session, gig: Gig) -> list[str]:
    """Why the stand keeps a gig from being deleted (`quests.admin.gig_dependents`)."""
    reasons = []
    if session.scalar(select(StandStock.id).where(StandStock.gig_id == gig.id).limit(1)):
        reasons.append(_("Stock was taken to its stand: its count stays on record."))
    sales = session.scalar(select(func.count(Order.id)).where(Order.gig_id == gig.id)) or 0
    if sales:
        reasons.append(
            ngettext(
                "%(num)d sale was made at its stand.",
                "%(num)d sales were made at its stand.",
                sales,
            )
        )
    return reasons


def pending_sales(session: Session, gig: Gig) -> int:
    """Stand sales of the night still waiting for a payment on a fan's phone."""
    return (
        session.scalar(
            select(func.count(Order.id)).where(
                Order.gig_id == gig.id,
                Order.channel == Channel.STAND,
                Order.status == OrderStatus.PENDING,
            )
        )
        or 0
    )


@transactional
def reconcile(
    session: Session, gig: Gig, *, brought_back: dict[int, int], actor: str, now: datetime
) -> list[StandStock]:
    """Count what came back from the stand (units by stand row) and return it to the main
    stock; the difference with what the stand should have is kept and shown."""
    if is_reconciled(session, gig):
        raise StandRefused(_("This night's stand is reconciled already."))
    waiting = pending_sales(session, gig)
    if waiting:
        raise StandRefused(
            ngettext(
                "%(num)d sale is still waiting for a payment on a fan's phone: let it end first.",
                "%(num)d sales are still waiting for a payment on a fan's phone: let them end "
                "first.",
                waiting,
            )
        )
    rows = stand_rows(session, gig, lock=True)
    for row in rows:
        counted = brought_back.get(row.id, 0)
        if not 0 <= counted <= row.left:
            raise StandRefused(
                _(
                    "%(item)s: the stand should have %(left)d, not %(counted)d.",
                    item=row.label,
                    left=row.left,
                    counted=counted,
                ),
                field=f"row-{row.id}",
            )
        row.brought_back, row.reconciled_at = counted, now
        if counted:
            put_back(
                session,
                row.product,
                option_id=row.option_id,
                quantity=counted,
                reason=StockReason.STAND_RETURN,
                actor=actor,
                now=now,
                detail=_detail(gig),
            )
    return rows
