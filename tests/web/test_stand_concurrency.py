"""The stand under simultaneous requests, over real HTTP: a sale sent several times at
once is one order, and the stand never sells more than it holds (SQLite here,
PostgreSQL in CI). A property test drives the stand's stock through any sequence."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from storefront.clock import utcnow
from storefront.errors import NotEnoughStock
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.services import expire_due_orders
from storefront.stand.models import StandStock
from storefront.stand.sales import PaymentMethod, SaleLine, StandSale, record_sale
from tests.support.fans import CSRF_RE, Fan
from tests.support.staff import PASSWORD, make_user

pytestmark = pytest.mark.slow


class Seller(Fan):
    """A staff phone at the stand: signed in, posting sales as JSON."""

    def sign_in(self, email: str) -> None:
        token = self.token("/admin/login")
        reply = self.request(
            "/admin/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert reply.status == 302, reply

    def sell(self, gig_id: int, sale: dict, token: str) -> int:
        request = urllib.request.Request(
            f"{self.base_url}/stand/gigs/{gig_id}/sales",
            data=json.dumps(sale).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def stand_token(seller: Seller, gig_id: int) -> str:
    return CSRF_RE.search(seller.request(f"/stand/gigs/{gig_id}").body).group(1)


def at_once(calls) -> list:
    start = Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def one_cd(product, client_id: str) -> dict:
    lines = [{"product_id": product.id, "option_id": None, "quantity": 1}]
    return {"client_id": client_id, "lines": lines, "method": "cash"}


def test_one_sale_sent_five_times_at_once_is_one_order(live_server, make_gig, make_product):
    gig, cd = make_gig(), make_product(kind="cd", stock=20)
    db.session.add(StandStock(gig_id=gig.id, product=cd, allocated=5, sold=0))
    db.session.commit()
    make_user("seller@bruitblanc.example", role="stand")
    seller = Seller(live_server)
    seller.sign_in("seller@bruitblanc.example")
    token = stand_token(seller, gig.id)
    sale = one_cd(cd, "offline-sale-000001")
    statuses = at_once([lambda: seller.sell(gig.id, sale, token)] * 5)
    assert statuses == [200] * 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(StandStock.sold)) == 1


def test_twenty_phones_selling_seven_units_sell_exactly_seven(live_server, make_gig, make_product):
    gig, cd = make_gig(), make_product(kind="cd", stock=20)
    db.session.add(StandStock(gig_id=gig.id, product=cd, allocated=7, sold=0))
    db.session.commit()
    sellers = []
    for number in range(4):
        make_user(f"seller{number}@bruitblanc.example", role="stand")
        seller = Seller(live_server)
        seller.sign_in(f"seller{number}@bruitblanc.example")
        sellers.append((seller, stand_token(seller, gig.id)))
    calls = [
        (lambda s=sellers[n % 4], n=n: s[0].sell(gig.id, one_cd(cd, f"sale-{n:04d}-xxxxxx"), s[1]))
        for n in range(20)
    ]
    assert Counter(at_once(calls)) == {200: 7, 409: 13}
    db.session.expire_all()
    assert db.session.scalar(select(StandStock.sold)) == 7
    assert db.session.scalar(select(func.count(Order.id))) == 7


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    allocated=st.integers(min_value=0, max_value=8),
    sales=st.lists(
        st.tuples(st.integers(min_value=1, max_value=4), st.sampled_from(list(PaymentMethod))),
        max_size=8,
    ),
    lapse=st.booleans(),
)
def test_the_stand_stock_adds_up_whatever_the_sales(
    make_gig, make_product, allocated, sales, lapse
):
    """Sold units are never more than allocated; each sale takes its units or none;
    phone sales that lapse give theirs back."""
    gig, cd = make_gig(), make_product(kind="cd", stock=20)
    row = StandStock(gig_id=gig.id, product=cd, allocated=allocated, sold=0)
    db.session.add(row)
    db.session.commit()
    now, taken = utcnow(), 0
    for number, (quantity, method) in enumerate(sales):
        sale = StandSale(
            f"prop-{number:04d}-{gig.id:06d}", (SaleLine(cd.id, None, quantity),), method
        )
        try:
            record_sale(
                db.session,
                gig,
                sale,
                staff="s@x.org",
                online_provider="test",
                now=now,
                reservation_minutes=30,
            )
        except NotEnoughStock:
            assert allocated - taken < quantity
            continue
        taken += quantity
        db.session.refresh(row)
        assert row.sold == taken <= allocated
    if lapse:
        db.session.execute(update(Order).values(reserved_until=now - timedelta(minutes=1)))
        db.session.commit()
        expire_due_orders(db.session, now=now)
        db.session.commit()
        kept = sum(q for q, m in _sold(sales, allocated) if m is not PaymentMethod.PHONE)
        db.session.refresh(row)
        assert row.sold == kept
    # Each example starts afresh: no order left, and none kept in the session's identity
    # map (SQLite gives a deleted order's id to the next one).
    db.session.execute(update(StandStock).values(sold=0))
    db.session.execute(Order.__table__.delete())
    db.session.commit()
    db.session.expunge_all()


def _sold(sales, allocated):
    """The sales that fitted, in order (the rule the service must follow)."""
    left, fitted = allocated, []
    for quantity, method in sales:
        if quantity <= left:
            left -= quantity
            fitted.append((quantity, method))
    return fitted
