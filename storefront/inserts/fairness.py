"""Insert pools in the public JSON, so `verify.py` (storefront/editions/draw.py) replays
them: an edition's in its fairness JSON, a campaign's in the campaign JSON.

What drew a pool's positions (its key, count and run) is public from the start; the
places that got an insert only with the seed, as they would tell which places are still
to win. An edition pool draws with the edition's seed, revealed when it closes or sells
out. A campaign pool has a seed of its own (a campaign has none) whose commitment is
published at once; the seed is revealed when no rank of its run is left to award: the
run is full, or the campaign has closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.editions.models import Edition
from storefront.editions.services import fairness, is_revealed
from storefront.inserts.models import InsertAward, InsertPool
from storefront.inserts.services import pools_of
from storefront.preorders.models import Backing, Campaign
from storefront.preorders.public import campaign_summary, summary_json
from storefront.preorders.services import campaign_for_release


def edition_fairness_json(session: Session, edition: Edition) -> dict:
    """The edition's fairness JSON with its insert pools (the log's n-th draw got an
    insert when n is one of a pool's positions)."""
    pools = pools_of(session, edition)
    awarded = awarded_positions(session, pools) if is_revealed(edition) else {}
    return {
        **fairness(session, edition),
        "insert_pools": [
            {"name": p.name, "count": p.count, "key": p.key, "awarded": awarded.get(p.id)}
            for p in pools
        ],
    }


def campaign_json(session: Session, release: Release, *, now: datetime) -> dict | None:
    """The release's campaign JSON with its insert pools, or None without a campaign."""
    summary = campaign_summary(session, release, now=now)
    campaign = campaign_for_release(session, release.id)
    if summary is None or campaign is None:
        return None
    return {**summary_json(summary), "insert_pools": campaign_pools_json(session, campaign)}


def campaign_pools_json(session: Session, campaign: Campaign) -> list[dict]:
    """Each pool of the campaign, in the order they were made."""
    pools = pools_of(session, campaign)
    if not pools:
        return []
    # A payment's rank is its backing's place, refunded ones included (slipping.py counts so).
    ranked = session.scalar(select(func.count()).where(Backing.campaign_id == campaign.id))
    revealed = [pool for pool in pools if _campaign_pool_revealed(campaign, pool, ranked)]
    awarded = awarded_positions(session, revealed)
    return [_campaign_pool_json(pool, ranked, awarded.get(pool.id)) for pool in pools]


def _campaign_pool_revealed(campaign: Campaign, pool: InsertPool, ranked: int) -> bool:
    # A full run awards nothing more. After the close, a late payment for an order opened
    # before it still ranks, by positions anyone can then compute: the price of letting a
    # campaign that never filled its run be checked at all.
    return ranked >= pool.run_size or campaign.outcome is not None


def _campaign_pool_json(pool: InsertPool, ranked: int, awarded: list[int] | None) -> dict:
    revealed = awarded is not None
    return {
        "name": pool.name,
        "count": pool.count,
        "run": pool.run_size,
        "key": pool.key,
        "commitment": pool.commitment,
        "server_seed": pool.server_seed.hex() if revealed else None,
        "orders_ranked": ranked if revealed else None,
        "awarded": awarded,
    }


def awarded_positions(session: Session, pools: list[InsertPool]) -> dict[int, list[int]]:
    """Pool id -> the places of its run that got an insert, in order."""
    awarded: dict[int, list[int]] = {pool.id: [] for pool in pools}
    if not pools:
        return awarded
    rows = session.execute(
        select(InsertAward.pool_id, InsertAward.position)
        .where(InsertAward.pool_id.in_(awarded))
        .order_by(InsertAward.position)
    ).all()
    for pool_id, position in rows:
        awarded[pool_id].append(position)
    return awarded
