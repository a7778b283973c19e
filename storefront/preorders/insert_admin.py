"""The label's side of campaign insert pools, and the campaign's packing list.

A campaign pool slips K items (studio notebooks) into K of the first N paid orders of a
campaign, one drawn in each of K blocks of the run (`InsertPool.positions`, the HMAC
scheme of the editions). The campaign has no seed of its own: each pool gets one when it
is made and publishes its commitment. Once an order has been paid, the count and the run
are fixed (payments have been ranked against them) and the pool stays.

The rest of the campaign admin lives in `admin_services`, whose refusals these share.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storefront.database import lock_row, transactional
from storefront.editions.draw import commitment
from storefront.editions.models import InsertAward, InsertPool
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus
from storefront.preorders.admin_services import check_not_closed, refusal
from storefront.preorders.models import Backing, Campaign


@dataclass(frozen=True)
class CampaignPoolFields:
    name: str
    count: int  # K
    run_size: int  # N: the paid orders the label plans for
    reveal_at_once: bool = False


def campaign_pools(session: Session, campaign: Campaign) -> list[InsertPool]:
    query = select(InsertPool).where(InsertPool.campaign_id == campaign.id)
    return list(session.scalars(query.order_by(InsertPool.id)))


def backings_started(session: Session, campaign: Campaign) -> bool:
    """Whether an order has been paid in the campaign: from then on pools are fixed."""
    query = select(Backing.id).where(Backing.campaign_id == campaign.id).limit(1)
    return session.scalar(query) is not None


def _lock_and_check_started(session: Session, campaign: Campaign) -> bool:
    """`backings_started`, with the campaign row locked as a payment locks it."""
    lock_row(session, Campaign, campaign.id)
    return backings_started(session, campaign)


@transactional
def add_campaign_pool(
    session: Session, campaign: Campaign, *, fields: CampaignPoolFields
) -> InsertPool:
    """A pool of K inserts over the first N paid orders, with its own seed; only before
    the first payment."""
    check_not_closed(campaign)
    _check_pool(fields)
    if _lock_and_check_started(session, campaign):
        message = _l(
            "Orders have been paid: a new pool could no longer be spread over the whole run."
        )
        raise refusal(message)
    seed = secrets.token_bytes(32)
    pool = InsertPool(
        campaign_id=campaign.id,
        name=fields.name,
        count=fields.count,
        run_size=fields.run_size,
        reveal_at_once=fields.reveal_at_once,
        server_seed=seed,
        commitment=commitment(seed),
    )
    session.add(pool)
    return pool


@transactional
def update_campaign_pool(
    session: Session, pool: InsertPool, *, fields: CampaignPoolFields
) -> InsertPool:
    """Rename a pool or change its flag; its count and run only until the first payment."""
    check_not_closed(pool.campaign)
    _check_pool(fields)
    resized = (fields.count, fields.run_size) != (pool.count, pool.run_size)
    if resized and _lock_and_check_started(session, pool.campaign):
        message = _l("Orders have been paid: the number of inserts and the run are fixed.")
        raise refusal(message, "count" if fields.count != pool.count else "run_size")
    pool.name, pool.reveal_at_once = fields.name, fields.reveal_at_once
    pool.count, pool.run_size = fields.count, fields.run_size
    return pool


@transactional
def delete_campaign_pool(session: Session, pool: InsertPool) -> None:
    """Remove a pool, until the first payment (after it, its inserts are promised)."""
    check_not_closed(pool.campaign)
    if _lock_and_check_started(session, pool.campaign):
        raise refusal(_l("Orders have been paid: this pool's inserts are promised, it stays."))
    session.delete(pool)


def _check_pool(fields: CampaignPoolFields) -> None:
    if not fields.name.strip():
        raise refusal(_l("Give the insert a name, like Studio notebook."), "name")
    if fields.run_size < 1:
        raise refusal(_l("The run is a number of paid orders: 1 or more."), "run_size")
    if not 0 < fields.count <= fields.run_size:
        message = _l(
            "A pool holds 1 to %(run)d inserts (the run: one order gets one at most).",
            run=fields.run_size,
        )
        raise refusal(message, "count")


def awards_by_pool(session: Session, campaign: Campaign) -> dict[int, int]:
    """How many inserts of each of the campaign's pools went into orders, by pool id."""
    rows = session.execute(
        select(InsertAward.pool_id, func.count(InsertAward.id))
        .join(InsertPool, InsertPool.id == InsertAward.pool_id)
        .where(InsertPool.campaign_id == campaign.id)
        .group_by(InsertAward.pool_id)
    ).all()
    return dict(rows)


# --- packing list -----------------------------------------------------------------------


@dataclass
class PackedBacking:
    """A paid preorder to pack: its rank among the campaign's payments and its inserts."""

    rank: int
    backing: Backing
    inserts: list[str] = field(default_factory=list)

    @property
    def order(self) -> Order:
        return self.backing.order


def packing_list(session: Session, campaign: Campaign) -> list[PackedBacking]:
    """Paid orders of the campaign not shipped yet, in payment order, with their inserts."""
    backings = session.scalars(
        select(Backing)
        .where(Backing.campaign_id == campaign.id)
        .options(selectinload(Backing.order))
        .order_by(Backing.id)
    ).all()
    inserts = _inserts_of(session, campaign)
    return [
        PackedBacking(rank, backing, inserts.get(backing.order_id, []))
        for rank, backing in enumerate(backings, start=1)
        if backing.refunded_at is None and backing.order.status == OrderStatus.PAID
    ]


def _inserts_of(session: Session, campaign: Campaign) -> dict[int, list[str]]:
    """Order id -> names of the campaign's inserts slipped into it."""
    rows = session.execute(
        select(InsertAward.order_id, InsertPool.name)
        .join(InsertPool, InsertPool.id == InsertAward.pool_id)
        .where(InsertPool.campaign_id == campaign.id)
        .order_by(InsertPool.id)
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    for order_id, name in rows:
        names[order_id].append(name)
    return names
