"""Insert pools in the public JSON: what drew them is public at once, what they gave once
the seed is revealed, and the verifier replays both kinds (edition and campaign)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from storefront.clock import utcnow
from storefront.editions.draw import CopyRef, check, insert_positions, pick
from storefront.editions.models import Copy
from storefront.editions.services import close_edition, copies_of_order
from storefront.extensions import db
from storefront.inserts.admin import PoolFields, add_pool
from storefront.inserts.fairness import edition_fairness_json
from storefront.inserts.models import InsertAward, InsertPool
from storefront.payments.services import refund_order
from storefront.preorders.closing import close_campaign
from tests.conftest import fresh
from tests.support.campaigns import open_order, pay, preorder
from tests.support.fairness import fill_campaign_pools, sell_out_with_a_refund


def fairness_json(client, edition) -> dict:
    response = client.get(f"/api/v1/editions/{edition.id}/fairness")
    assert response.status_code == 200
    return response.json


def campaign_json(client, campaign) -> dict:
    response = client.get(f"/api/v1/releases/{campaign.release.slug}/campaign")
    assert response.status_code == 200
    return response.json


def awarded(pool_id: int) -> list[int]:
    query = select(InsertAward.position).where(InsertAward.pool_id == pool_id)
    return sorted(db.session.scalars(query))


# --- editions ---------------------------------------------------------------------------


def test_the_fairness_json_lists_the_pools_and_their_places_once_revealed(client, make_edition):
    edition = make_edition()
    notebook = add_pool(db.session, edition, fields=PoolFields(name="a studio notebook", count=3))
    preorder(edition.product, quantity=3)
    before = fairness_json(client, edition)["insert_pools"]
    assert before == [
        {"name": "a studio notebook", "count": 3, "key": str(notebook.id), "awarded": None}
    ], "the places would tell which draws are still to win"

    close_edition(db.session, fresh(edition), now=utcnow())
    data = fairness_json(client, edition)
    [pool] = data["insert_pools"]
    assert pool["awarded"] == awarded(notebook.id)
    assert pool["awarded"] == [p for p in fresh(notebook).positions() if p <= 3]
    assert check(data) == []


def test_a_sold_out_edition_replays_its_pools(client, make_edition):
    edition = sell_out_with_a_refund(make_edition)
    data = fairness_json(client, edition)
    assert [e["kind"] for e in data["log"]].count("release") == 1
    assert [(p["name"], p["count"]) for p in data["insert_pools"]] == [
        ("a studio notebook", 3),
        ("a test pressing", 1),
    ]
    assert [len(p["awarded"]) for p in data["insert_pools"]] == [3, 1], "sold out: all given"
    assert check(data) == []


def test_a_released_copy_with_an_insert_can_be_drawn_again(make_edition):
    edition = make_edition(variants=(("standard", 2),), stock=5)
    add_pool(db.session, edition, fields=PoolFields(name="a studio notebook", count=2))
    first = preorder(edition.product, email="first@example.org")
    [carrying] = copies_of_order(db.session, first)  # drawn first: it got an insert
    refund_order(db.session, fresh(first), reason="changed mind", now=utcnow())
    second = open_order(edition.product, email="second@example.org")
    copies = db.session.scalars(select(Copy).where(Copy.edition_id == edition.id))
    box = {CopyRef(copy.variant.position, copy.number): copy.id for copy in copies}
    # Draw 3 is the edition's 2nd draw, an insert place: make it draw the carrying copy.
    second.client_seed = next(
        seed
        for seed in (f"seed-{n}" for n in range(100))
        if box[pick(edition.server_seed, seed, 3, box)] == carrying.id
    )
    db.session.commit()
    pay(second)
    assert [c.id for c in copies_of_order(db.session, fresh(second))] == [carrying.id]
    carried = db.session.scalars(select(InsertAward).where(InsertAward.copy_id == carrying.id))
    assert len(list(carried)) == 1, "the copy keeps the one insert packed with it"
    close_edition(db.session, fresh(edition), now=utcnow())
    data = edition_fairness_json(db.session, fresh(edition))
    assert data["insert_pools"][0]["awarded"] == [1], "place 2 drew the copy that had one"
    assert check(data) == [], "the verifier knows a copy keeps its insert"


# --- campaigns --------------------------------------------------------------------------


def test_a_campaign_pool_publishes_its_commitment_and_keeps_its_seed(client, make_campaign):
    campaign = make_campaign()
    fields = PoolFields(name="a studio notebook", count=1, run_size=3)
    pool = add_pool(db.session, campaign, fields=fields)
    preorder(campaign.products[0])
    assert campaign_json(client, campaign)["insert_pools"] == [
        {
            "name": "a studio notebook",
            "count": 1,
            "run": 3,
            "key": str(pool.id),
            "commitment": hashlib.sha256(pool.server_seed).hexdigest(),
            "server_seed": None,
            "orders_ranked": None,
            "awarded": None,
        }
    ]


def test_a_full_run_reveals_the_seed_and_the_ranks(client, make_campaign):
    campaign = make_campaign()
    fill_campaign_pools(campaign, run=4)
    data = campaign_json(client, campaign)
    pools = db.session.scalars(
        select(InsertPool).where(InsertPool.campaign_id == campaign.id).order_by(InsertPool.id)
    ).all()
    for shown, pool in zip(data["insert_pools"], pools, strict=True):
        assert shown["server_seed"] == pool.server_seed.hex()
        assert shown["orders_ranked"] == 4, "the refunded order keeps its rank"
        assert shown["awarded"] == awarded(pool.id) == pool.positions()
    assert check(data) == []


def test_a_closed_campaign_reveals_a_run_it_never_filled(client, make_campaign):
    campaign = make_campaign()
    fields = PoolFields(name="a studio notebook", count=2, run_size=10)
    pool = add_pool(db.session, campaign, fields=fields)
    for n in range(3):
        preorder(campaign.products[0], email=f"{n}@example.org")
    assert campaign_json(client, campaign)["insert_pools"][0]["server_seed"] is None
    close_campaign(db.session, fresh(campaign), now=utcnow())
    data = campaign_json(client, campaign)
    [shown] = data["insert_pools"]
    assert shown["orders_ranked"] == 3
    due = [p for p in insert_positions(pool.server_seed, str(pool.id), 10, 2) if p <= 3]
    assert shown["awarded"] == due
    assert check(data) == []


def test_a_campaign_without_pools_has_nothing_to_replay(client, make_campaign):
    data = campaign_json(client, make_campaign())
    assert data["insert_pools"] == []
    assert check(data) == ["this campaign has no insert pool: there is nothing to replay"]
