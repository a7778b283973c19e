"""Insert pools of a campaign: K items slipped into K of its first N paid orders, one in
each block of the run; what fans see of them; the label's screens and packing list."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storefront.clock import utcnow
from storefront.editions.draw import commitment, insert_positions
from storefront.extensions import db
from storefront.inserts import admin as pools
from storefront.inserts.models import InsertAward, InsertPool
from storefront.inserts.services import shown_inserts
from storefront.mail.models import OutboxMessage
from storefront.orders.services import mark_shipped
from storefront.payments.services import refund_order
from tests.conftest import fresh
from tests.support.campaigns import open_order, preorder
from tests.support.staff import send, signed_in


def make_pool(campaign, *, count: int, run: int, name="a studio notebook", at_once=False):
    fields = pools.PoolFields(name=name, count=count, run_size=run, reveal_at_once=at_once)
    return pools.add_pool(db.session, campaign, fields=fields)


def awards(pool) -> list[InsertAward]:
    db.session.expire_all()
    query = select(InsertAward).where(InsertAward.pool_id == pool.id)
    return db.session.scalars(query.order_by(InsertAward.position)).all()


# --- the draw ---------------------------------------------------------------------------


def test_exactly_k_inserts_go_to_the_first_n_paid_orders_one_per_block(make_campaign):
    campaign = make_campaign()
    pool = make_pool(campaign, count=3, run=12)
    assert pool.commitment == commitment(pool.server_seed)
    [product] = campaign.products
    open_order(product, email="unpaid@x.org")  # a reservation ranks nowhere
    orders = [preorder(product, email=f"{n}@x.org") for n in range(12)]
    given = awards(pool)
    assert [award.position for award in given] == insert_positions(
        pool.server_seed, str(pool.id), 12, 3
    ), "anyone holding the seed can replay the positions"
    assert [(award.position - 1) // 4 for award in given] == [0, 1, 2], "one per block"
    assert [award.order_id for award in given] == [orders[a.position - 1].id for a in given]
    assert all(award.copy_id is None for award in given)
    for n in range(3):  # beyond the run: none, so exactly K
        preorder(product, email=f"late{n}@x.org")
    assert len(awards(pool)) == 3


def test_no_insert_before_the_order_is_paid(make_campaign):
    campaign = make_campaign()
    pool = make_pool(campaign, count=1, run=1)
    open_order(campaign.products[0])
    assert awards(pool) == []


def test_a_refunded_backing_keeps_its_rank(make_campaign):
    campaign = make_campaign()
    pool = make_pool(campaign, count=2, run=2)  # every order of the run gets one
    [product] = campaign.products
    first = preorder(product, email="first@x.org")
    refund_order(db.session, first, reason="changed mind", now=utcnow())
    second = preorder(product, email="second@x.org")
    assert [(a.order_id, a.position) for a in awards(pool)] == [(first.id, 1), (second.id, 2)]


def test_each_pool_of_a_campaign_draws_on_its_own(make_campaign):
    campaign = make_campaign()
    pools = [make_pool(campaign, count=2, run=6, name=name) for name in ("notebook", "poster")]
    assert pools[0].server_seed != pools[1].server_seed
    for n in range(6):
        preorder(campaign.products[0], email=f"{n}@x.org")
    assert [len(awards(pool)) for pool in pools] == [2, 2]


def test_a_pool_belongs_to_an_edition_or_to_a_seeded_campaign(make_campaign):
    campaign = make_campaign()
    for pool in (
        InsertPool(name="nobody's", count=1),
        InsertPool(campaign_id=campaign.id, name="no seed", count=1, run_size=1),
    ):
        db.session.add(pool)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- what the fan sees ------------------------------------------------------------------


def shown(order) -> list:
    db.session.expire_all()
    return shown_inserts(db.session, fresh(order))


def test_inserts_are_told_at_once_or_only_once_shipped(make_campaign):
    campaign = make_campaign()
    make_pool(campaign, count=1, run=1, name="a studio notebook", at_once=True)
    make_pool(campaign, count=1, run=1, name="a test pressing")
    order = preorder(campaign.products[0])
    assert shown(order) == [("a studio notebook", 1)]
    mark_shipped(db.session, fresh(order), now=utcnow())
    assert shown(order) == [("a studio notebook", 1), ("a test pressing", 1)]


def test_an_order_without_inserts_shows_none(make_campaign):
    campaign = make_campaign()
    make_pool(campaign, count=1, run=2, at_once=True)
    first, second = (preorder(campaign.products[0], email=f"{n}@x.org") for n in range(2))
    assert [bool(shown(order)) for order in (first, second)].count(True) == 1


def test_the_order_page_and_the_mail_tell_the_fan(client, make_campaign):
    campaign = make_campaign()
    make_pool(campaign, count=1, run=1, name="a studio notebook", at_once=True)
    order = preorder(campaign.products[0])
    html = client.get(f"/orders/{order.reference}").get_data(as_text=True)
    assert "In your parcel too: a studio notebook!" in html
    body = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.kind == "order_confirmation")
    )
    assert "In your parcel too: a studio notebook!" in body


# --- the label's screens ----------------------------------------------------------------


def pool_data(**fields) -> dict:
    data = {"name": "Studio notebook", "count": "2", "run_size": "10", **fields}
    return {f"pool-{key}": value for key, value in data.items()}


def add_pool(admin, campaign, **fields):
    url, page = f"/admin/campaigns/{campaign.id}/pools", f"/admin/campaigns/{campaign.id}"
    return send(admin, url, pool_data(**fields), page=page, prefix="pool-")


def refused(response, message: str) -> None:
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def pool_count() -> int:
    return db.session.scalar(select(func.count(InsertPool.id)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "11"}, "A pool holds 1 to 10 inserts (the run: one order gets one at most)."),
        ({"count": "0"}, "A pool holds 1 to 10 inserts (the run: one order gets one at most)."),
        ({"run_size": "0"}, "The run is a number of paid orders: 1 or more."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_refused_campaign_pool_says_why(admin, make_campaign, fields, message):
    campaign = make_campaign()
    refused(add_pool(admin, campaign, **fields), message)
    assert pool_count() == 0


def test_campaign_pools_are_added_edited_and_removed_before_any_payment(admin, make_campaign):
    campaign = make_campaign(goals=[("pressing", 40, "none", "Pressing")])
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert re.search(r'name="pool-run_size"[^>]*value="40"', page), "the run defaults to the goal"
    response = add_pool(admin, campaign, reveal_at_once="y")
    assert response.headers["Location"].endswith(f"/admin/campaigns/{campaign.id}#inserts")
    pool = db.session.scalar(select(InsertPool))
    assert (pool.campaign_id, pool.edition_id) == (campaign.id, None)
    assert (pool.name, pool.count, pool.run_size, pool.reveal_at_once) == (
        "Studio notebook",
        2,
        10,
        True,
    )
    assert pool.commitment in admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    url = f"/admin/campaigns/pools/{pool.id}"
    send(admin, url, pool_data(name="Carnet", count="3", run_size="30"), prefix="pool-")
    pool = fresh(pool)
    assert (pool.name, pool.count, pool.run_size, pool.reveal_at_once) == ("Carnet", 3, 30, False)
    assert admin.get(f"/admin/editions/pools/{pool.id}").status_code == 404
    send(admin, f"{url}/delete", {}, page=f"/admin/campaigns/{campaign.id}")
    assert pool_count() == 0


def test_once_an_order_is_paid_a_pool_keeps_its_count_and_run_and_stays(admin, make_campaign):
    campaign = make_campaign()
    add_pool(admin, campaign)
    pool = db.session.scalar(select(InsertPool))
    preorder(campaign.products[0])
    url, page = f"/admin/campaigns/pools/{pool.id}", f"/admin/campaigns/{campaign.id}"
    fixed = "Orders have been paid: the number of inserts and the run are fixed."
    refused(send(admin, url, pool_data(count="3"), prefix="pool-"), fixed)
    refused(send(admin, url, pool_data(run_size="20"), prefix="pool-"), fixed)
    assert send(admin, url, pool_data(name="Carnet"), prefix="pool-").status_code == 302
    assert fresh(pool).name == "Carnet"
    response = send(admin, f"{url}/delete", {}, page=page, follow_redirects=True)
    assert "this pool&#39;s inserts are promised, it stays." in response.get_data(as_text=True)
    refused(add_pool(admin, campaign), "a new pool could no longer be spread over the whole run")
    assert pool_count() == 1


def test_an_edition_pool_is_not_a_campaign_pool(admin, make_edition):
    edition = make_edition()
    db.session.add(InsertPool(edition_id=edition.id, name="Carnet", count=1))
    db.session.commit()
    pool = db.session.scalar(select(InsertPool))
    assert admin.get(f"/admin/campaigns/pools/{pool.id}").status_code == 404


def test_the_packing_list_shows_paid_orders_with_their_inserts(client, make_campaign):
    campaign = make_campaign()
    make_pool(campaign, count=2, run=2, name="Studio notebook")
    [product] = campaign.products
    first, second = (preorder(product, email=f"{n}@x.org") for n in range(2))
    refund_order(db.session, second, reason="changed mind", now=utcnow())
    unpaid = open_order(product, email="unpaid@x.org")
    staff = signed_in(client, "staff")
    response = staff.get(f"/admin/campaigns/{campaign.id}/packing")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert first.reference in html and "Studio notebook" in html
    [line] = first.lines
    preordered = escape(f"{line.description} × 1")  # noqa: RUF001 - the sign, as typeset
    assert preordered in html, "what was preordered goes in the parcel"
    assert second.reference not in html and unpaid.reference not in html
    assert "1 order to pack." in html
