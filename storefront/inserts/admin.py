"""The label's side of insert pools: adding, editing and removing them, and what the
admin page shows of them.

A pool spreads K items over a run: the copies of an edition (drawn with its seed) or the
first N paid orders of a campaign (a campaign has no seed: each of its pools gets one
when it is made, and publishes its commitment). Once a place of the run is taken (a copy
drawn, an order paid) the count and the run are part of what fans replay: the pool may
still be renamed, no longer resized or removed.

Each write is one transaction and raises PoolRefused (naming the form field it concerns).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.database import lock_row, transactional
from storefront.editions.admin_services import run_is_fixed
from storefront.editions.draw import commitment
from storefront.editions.models import Edition
from storefront.inserts.models import InsertAward, InsertPool
from storefront.inserts.services import Owner, pools_of
from storefront.preorders.admin_services import check_not_closed
from storefront.preorders.models import Campaign
from storefront.preorders.services import backings_started

# What the label is told when a taken place fixes the pool, by kind of run.
_FIXED = {
    "add": {
        "edition": _l(
            "Copies have been drawn (or the edition is closed): a new pool could no longer "
            "be spread over the whole run."
        ),
        "campaign": _l(
            "Orders have been paid: a new pool could no longer be spread over the whole run."
        ),
    },
    "resize": {
        "edition": _l("Copies have been drawn: the number of inserts can no longer change."),
        "campaign": _l("Orders have been paid: the number of inserts and the run are fixed."),
    },
    "delete": {
        "edition": _l("Copies have been drawn: this pool's inserts are promised, it stays."),
        "campaign": _l("Orders have been paid: this pool's inserts are promised, it stays."),
    },
}


class PoolRefused(CatalogRefused):
    """A pool edit breaks a rule; `field` names the form field it concerns."""

    code = "pool_refused"


@dataclass(frozen=True)
class PoolFields:
    name: str
    count: int  # K
    reveal_at_once: bool = False
    run_size: int | None = None  # campaign pools: N, the paid orders the label plans for


def kind_of(owner: Owner) -> str:
    return "edition" if isinstance(owner, Edition) else "campaign"


def owner_of(pool: InsertPool) -> Owner:
    return pool.edition or pool.campaign


def largest_pool(session: Session, edition: Edition) -> int:
    """The most inserts a pool spreads over the edition's run: its size may not go below."""
    return max((pool.count for pool in pools_of(session, edition)), default=0)


def is_fixed(session: Session, owner: Owner) -> bool:
    """Whether a place of the run is taken (or the edition closed): pools are then fixed
    but for their name and flag."""
    if isinstance(owner, Edition):
        return run_is_fixed(session, owner)
    return backings_started(session, owner)


def _check_fixed(session: Session, owner: Owner, action: str, field: str | None = None) -> None:
    """Refuse `action` on a fixed run, with the owner's row locked as a draw or a payment
    locks it (no place can be taken while the pool changes)."""
    lock_row(session, type(owner), owner.id)
    if is_fixed(session, owner):
        raise PoolRefused(str(_FIXED[action][kind_of(owner)]), field=field)


def _check_open(owner: Owner) -> None:
    if isinstance(owner, Campaign):
        check_not_closed(owner)


@transactional
def add_pool(session: Session, owner: Owner, *, fields: PoolFields) -> InsertPool:
    """A pool of K inserts spread over the whole run; only before its first place is taken."""
    _check_open(owner)
    _check_fields(owner, fields)
    _check_fixed(session, owner, "add")
    pool = InsertPool(name=fields.name, count=fields.count, reveal_at_once=fields.reveal_at_once)
    if isinstance(owner, Edition):
        pool.edition_id = owner.id
    else:
        seed = secrets.token_bytes(32)
        pool.campaign_id, pool.run_size = owner.id, fields.run_size
        pool.server_seed, pool.commitment = seed, commitment(seed)
    session.add(pool)
    return pool


@transactional
def update_pool(session: Session, pool: InsertPool, *, fields: PoolFields) -> InsertPool:
    """Rename a pool or change its flag; its count and run only until the first place."""
    owner = owner_of(pool)
    _check_open(owner)
    _check_fields(owner, fields)
    if fields.count != pool.count:
        _check_fixed(session, owner, "resize", "count")
    if pool.campaign_id is not None and fields.run_size != pool.run_size:
        _check_fixed(session, owner, "resize", "run_size")
        pool.run_size = fields.run_size
    pool.name, pool.count, pool.reveal_at_once = fields.name, fields.count, fields.reveal_at_once
    return pool


@transactional
def delete_pool(session: Session, pool: InsertPool) -> None:
    """Remove a pool, until the first place is taken (after it, its inserts are promised)."""
    owner = owner_of(pool)
    _check_open(owner)
    _check_fixed(session, owner, "delete")
    session.delete(pool)


def _check_fields(owner: Owner, fields: PoolFields) -> None:
    if not fields.name.strip():
        raise PoolRefused(str(_l("Give the insert a name, like Studio notebook.")), field="name")
    if isinstance(owner, Edition):
        if not 0 < fields.count <= owner.size:
            message = _l(
                "A pool holds 1 to %(size)d inserts (the size of the edition).", size=owner.size
            )
            raise PoolRefused(str(message), field="count")
        return
    if fields.run_size is None or fields.run_size < 1:
        message = _l("The run is a number of paid orders: 1 or more.")
        raise PoolRefused(str(message), field="run_size")
    if not 0 < fields.count <= fields.run_size:
        message = _l(
            "A pool holds 1 to %(run)d inserts (the run: one order gets one at most).",
            run=fields.run_size,
        )
        raise PoolRefused(str(message), field="count")


# --- what the admin page shows ----------------------------------------------------------


@dataclass(frozen=True)
class PoolsPanel:
    """The insert-pool section of an edition's or a campaign's page: what it lists and what
    the services above would allow (the page offers nothing they would refuse)."""

    kind: str  # edition, campaign
    pools: list[InsertPool]
    given: dict[int, int]  # pool id -> inserts slipped in so far
    fixed: bool  # a place of the run is taken: rename only
    may_change: bool  # the owner still takes changes (a closed campaign does not)

    @property
    def may_add(self) -> bool:
        return self.may_change and not self.fixed

    @property
    def may_remove(self) -> bool:
        return self.may_add


def pools_panel(session: Session, owner: Owner) -> PoolsPanel:
    pools = pools_of(session, owner)
    return PoolsPanel(
        kind=kind_of(owner),
        pools=pools,
        given=_given(session, pools),
        fixed=is_fixed(session, owner),
        may_change=not (isinstance(owner, Campaign) and owner.outcome),
    )


def _given(session: Session, pools: list[InsertPool]) -> dict[int, int]:
    if not pools:
        return {}
    rows = session.execute(
        select(InsertAward.pool_id, func.count(InsertAward.id))
        .where(InsertAward.pool_id.in_([pool.id for pool in pools]))
        .group_by(InsertAward.pool_id)
    ).all()
    return dict(rows)
