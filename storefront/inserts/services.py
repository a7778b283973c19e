"""Reading insert pools: an edition's or a campaign's, and what an order's fan may know of
its inserts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from storefront.editions.models import Copy, Edition
from storefront.inserts.models import InsertAward, InsertPool
from storefront.orders.models import Order
from storefront.preorders.models import Campaign

Owner = Edition | Campaign  # what a pool is spread over: copies, or paid orders


def pools_of(session: Session, owner: Owner) -> list[InsertPool]:
    """The owner's pools, in the order they were made."""
    column = InsertPool.edition_id if isinstance(owner, Edition) else InsertPool.campaign_id
    query = select(InsertPool).where(column == owner.id).order_by(InsertPool.id)
    return list(session.scalars(query))


def shown_inserts(session: Session, order: Order) -> list[tuple[str, int]]:
    """(insert name, how many) in the order's copies or in the order itself, by place in
    their runs, that the fan may know about: those told at once, or all once shipped.
    The reveal rule lives here only, so the order page and the mails never disagree."""
    awards = session.scalars(
        select(InsertAward)
        .outerjoin(Copy, Copy.id == InsertAward.copy_id)
        .where(or_(Copy.order_id == order.id, InsertAward.order_id == order.id))
        .options(selectinload(InsertAward.pool))
        .order_by(InsertAward.position, InsertAward.id)
    )
    names = [a.pool.name for a in awards if a.pool.reveal_at_once or order.has_shipped]
    return list(Counter(names).items())
