"""One submission of the checkout form opens one order, however often it arrives."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order
from tests.conftest import csrf_token_from, fresh
from tests.support.fans import Fan
from tests.support.shop import ADDRESS, add_to_cart

SUBMISSION_RE = re.compile(r'name="submission" type="hidden" value="([^"]+)"')


def checkout_form(client) -> dict:
    page = client.get("/checkout").get_data(as_text=True)
    submission = SUBMISSION_RE.search(page).group(1)
    return {"csrf_token": csrf_token_from(page), "submission": submission,
            "email": "fan@example.org", **ADDRESS}  # fmt: skip


def orders() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Order.id)))


def test_a_retried_submission_gets_the_same_order_and_holds_one_unit(client, make_product):
    vinyl = make_product(stock=1)
    add_to_cart(client, vinyl)
    form = checkout_form(client)

    first = client.post("/checkout", data=form)
    add_to_cart(client, vinyl)  # the retry arrives with the cart the crash left behind
    again = client.post("/checkout", data=form)

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert orders() == 1
    assert fresh(vinyl).stock == 0


def test_a_new_showing_of_the_form_is_a_new_submission(client, make_product):
    vinyl = make_product(stock=5)
    add_to_cart(client, vinyl)
    first = client.post("/checkout", data=checkout_form(client))
    add_to_cart(client, vinyl)
    second = client.post("/checkout", data=checkout_form(client))
    assert first.headers["Location"] != second.headers["Location"]
    assert orders() == 2


def test_another_browser_cannot_reach_an_order_by_its_submission(app, client, make_product):
    vinyl = make_product(stock=5)
    add_to_cart(client, vinyl)
    form = checkout_form(client)
    mine = client.post("/checkout", data=form).headers["Location"]

    other = app.test_client()
    add_to_cart(other, vinyl)
    theirs = other.post("/checkout", data=checkout_form(other) | {"submission": form["submission"]})

    assert theirs.headers["Location"] != mine
    assert orders() == 2


def test_a_refused_checkout_offers_a_fresh_submission(client, make_product):
    vinyl = make_product(stock=1)
    add_to_cart(client, vinyl)
    vinyl.stock = 0
    db.session.commit()
    form = checkout_form(client)
    refused = client.post("/checkout", data=form)
    assert refused.status_code == 409
    shown = SUBMISSION_RE.search(refused.get_data(as_text=True)).group(1)
    assert shown != form["submission"]


@pytest.mark.slow
def test_a_double_tap_at_the_same_instant_opens_one_order(live_server, make_product):
    vinyl = make_product(stock=3)
    fan = Fan(live_server)
    fan.fill_cart(vinyl.release.slug, vinyl.id)
    page = fan.request("/checkout").body
    form = fan.checkout_form() | {"submission": SUBMISSION_RE.search(page).group(1)}
    taps = 8
    start = threading.Barrier(taps)

    def tap(_n: int) -> str:
        start.wait()
        return fan.request("/checkout", form).location

    with ThreadPoolExecutor(max_workers=taps) as pool:
        locations = set(pool.map(tap, range(taps)))

    assert len(locations) == 1 and "/pay/test/" in locations.pop()
    assert orders() == 1
    assert fresh(vinyl).stock == 2
