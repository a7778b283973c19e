"""Inserts are slipped in when an order is paid, once its copies are drawn and its
preorders counted (the inserts mechanic runs after the editions and preorders ones).

Both kinds follow the rule fans replay with `verify.py`:
- an edition pool: the place of each draw in the public log, with `copy_insert_places`
  (a copy put back in the box keeps its insert, so drawn again it gets no second one);
- a campaign pool: the rank of the order's backing among the campaign's (refunded ones
  still count: a rank is never reused), when the rank is one of the pool's positions.

Runs inside the payment's transaction, serialised on the edition or campaign row as the
draw and the backing are; the unique constraints on awards back this up.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.database import lock_row
from storefront.editions.draw import CopyRef, copy_insert_places
from storefront.editions.models import Copy, DrawLogEntry, Edition, Variant
from storefront.inserts.models import InsertAward, InsertPool
from storefront.orders.models import Order
from storefront.preorders.models import Backing, Campaign


def slip_inserts(session: Session, order: Order) -> None:
    """Give a paid order the inserts its copies and its preorders drew."""
    for edition in _editions_with_pools(session, order):
        _slip_into_copies(session, edition)
    for backing in _backings_with_pools(session, order):
        _slip_into_order(session, backing)
    session.flush()


def _editions_with_pools(session: Session, order: Order) -> list[Edition]:
    held = select(Copy.edition_id).where(Copy.order_id == order.id)
    return list(
        session.scalars(
            select(Edition)
            .where(Edition.id.in_(held), Edition.id.in_(select(InsertPool.edition_id)))
            .order_by(Edition.id)
        )
    )


def _backings_with_pools(session: Session, order: Order) -> list[Backing]:
    return list(
        session.scalars(
            select(Backing)
            .where(
                Backing.order_id == order.id,
                Backing.campaign_id.in_(select(InsertPool.campaign_id)),
            )
            .order_by(Backing.campaign_id)
        )
    )


def _slip_into_copies(session: Session, edition: Edition) -> None:
    """Award every place of the log that earns an insert and has none yet: the draws just
    made (the verifier's rule, run over the whole log, so the shop cannot drift from it)."""
    lock_row(session, Edition, edition.id)
    log = session.execute(
        select(Variant.position, DrawLogEntry.number)
        .join(Variant, Variant.id == DrawLogEntry.variant_id)
        .where(DrawLogEntry.edition_id == edition.id, DrawLogEntry.kind == "draw")
        .order_by(DrawLogEntry.sequence)
    ).all()
    drawn = [CopyRef(position, number) for position, number in log]
    copies = _copy_ids(session, edition)
    for pool in _pools(session, InsertPool.edition_id == edition.id):
        given = _awarded(session, pool)
        places = copy_insert_places(edition.server_seed, pool.key, edition.size, pool.count, drawn)
        for place in places:
            if place not in given:
                copy_id = copies[drawn[place - 1]]
                session.add(InsertAward(pool_id=pool.id, copy_id=copy_id, position=place))


def _slip_into_order(session: Session, backing: Backing) -> None:
    lock_row(session, Campaign, backing.campaign_id)
    rank = session.scalar(
        select(func.count()).where(
            Backing.campaign_id == backing.campaign_id, Backing.id <= backing.id
        )
    )
    for pool in _pools(session, InsertPool.campaign_id == backing.campaign_id):
        if rank in pool.positions() and rank not in _awarded(session, pool):
            session.add(InsertAward(pool_id=pool.id, order_id=backing.order_id, position=rank))


def _pools(session: Session, owned) -> list[InsertPool]:
    return list(session.scalars(select(InsertPool).where(owned).order_by(InsertPool.id)))


def _awarded(session: Session, pool: InsertPool) -> set[int]:
    query = select(InsertAward.position).where(InsertAward.pool_id == pool.id)
    return set(session.scalars(query))


def _copy_ids(session: Session, edition: Edition) -> dict[CopyRef, int]:
    rows = session.execute(
        select(Copy.id, Variant.position, Copy.number)
        .join(Variant, Variant.id == Copy.variant_id)
        .where(Copy.edition_id == edition.id)
    ).all()
    return {CopyRef(position, number): copy_id for copy_id, position, number in rows}
