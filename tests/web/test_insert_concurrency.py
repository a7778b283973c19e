"""Fans pay at once: each pool gives exactly its K inserts, at the places its seed draws,
one per copy or order, and the public JSON still replays.

Real HTTP and real threads against a live server; SQLite here, PostgreSQL in CI.
"""

from collections import Counter

import pytest
from sqlalchemy import select

from storefront.editions.draw import check, insert_positions
from storefront.extensions import db
from storefront.inserts.admin import PoolFields, add_pool
from storefront.inserts.fairness import edition_fairness_json
from storefront.inserts.models import InsertAward
from tests.conftest import fresh
from tests.support.campaigns import open_order
from tests.support.fans import pay_all_at_once

pytestmark = pytest.mark.slow


def awards_of(pool) -> list[InsertAward]:
    db.session.expire_all()
    query = select(InsertAward).where(InsertAward.pool_id == pool.id)
    return db.session.scalars(query.order_by(InsertAward.position)).all()


def test_concurrent_payments_slip_an_editions_k_inserts_where_the_seed_says(
    live_server, make_edition
):
    edition = make_edition(variants=(("standard", 24), ("silver", 6)), stock=40)
    pool = add_pool(db.session, edition, fields=PoolFields(name="a studio notebook", count=5))
    pending = [open_order(edition.product, email=f"fan{n}@x.org").reference for n in range(40)]

    assert pay_all_at_once(live_server, pending) == {302: 40}

    awards = awards_of(pool)
    assert [a.position for a in awards] == insert_positions(edition.server_seed, pool.key, 30, 5)
    assert len({a.copy_id for a in awards}) == 5, "one insert per copy"
    data = edition_fairness_json(db.session, fresh(edition))
    assert check(data) == [], "sold out: draws and inserts replay"


def test_concurrent_payments_slip_a_campaigns_k_inserts_into_its_first_n(
    live_server, make_campaign
):
    campaign = make_campaign()
    fields = PoolFields(name="a studio notebook", count=3, run_size=20)
    pool = add_pool(db.session, campaign, fields=fields)
    [product] = campaign.products
    pending = [open_order(product, email=f"fan{n}@x.org").reference for n in range(30)]

    assert pay_all_at_once(live_server, pending) == {302: 30}

    awards = awards_of(pool)
    assert [a.position for a in awards] == fresh(pool).positions()
    assert Counter(a.order_id for a in awards).most_common(1)[0][1] == 1, "one per order"
