"""Draws worth checking: an edition sold out after a refund, with insert pools, and a
campaign whose insert pools have handed out their whole run."""

from __future__ import annotations

from storefront.clock import utcnow
from storefront.editions.models import Edition
from storefront.extensions import db
from storefront.inserts.admin import PoolFields, add_pool
from storefront.inserts.services import pools_of
from storefront.payments.services import refund_order
from storefront.preorders.models import Campaign
from tests.conftest import fresh
from tests.support.campaigns import preorder

EDITION_POOLS = (("a studio notebook", 3), ("a test pressing", 1))


def sell_out_with_a_refund(make_edition) -> Edition:
    """Standard 5, silver 2, gold 1 with two insert pools; one of the first four fans is
    refunded (a release entry), then single copies sell until none is left, which
    reveals the seed."""
    edition = make_edition(stock=30)
    for name, count in EDITION_POOLS:
        add_pool(db.session, edition, fields=PoolFields(name=name, count=count))
    early = [preorder(edition.product, email=f"early{n}@example.org") for n in range(4)]
    # The refunded copy carries no insert: one that does cannot be drawn again yet (see
    # test_a_released_copy_with_an_insert_can_be_drawn_again). Four ranks, at most three
    # of them insert positions, so one is free.
    positions = {p for pool in pools_of(db.session, edition) for p in pool.positions()}
    changed_mind = next(o for rank, o in enumerate(early, start=1) if rank not in positions)
    refund_order(db.session, fresh(changed_mind), reason="changed mind", now=utcnow())
    for n in range(30):
        if fresh(edition).closed_at is not None:
            break
        preorder(edition.product, email=f"fan{n}@example.org")
    edition = fresh(edition)
    assert edition.closed_at is not None, "sold out"
    return edition


def fill_campaign_pools(campaign: Campaign, *, run: int = 4) -> None:
    """Two pools over the first `run` paid orders, one of them refunded: the runs are full,
    so the seeds are revealed."""
    for name, count in (("a studio notebook", 2), ("a signed insert", 1)):
        fields = PoolFields(name=name, count=count, run_size=run)
        add_pool(db.session, campaign, fields=fields)
    [product] = campaign.products
    first = preorder(product, email="first@example.org")
    refund_order(db.session, fresh(first), reason="changed mind", now=utcnow())
    for n in range(run - 1):
        preorder(product, email=f"backer{n}@example.org")
