"""No oversell: many fans check out at the same instant, over real HTTP, on real threads."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order
from tests.conftest import fresh
from tests.support.fans import Fan

FANS = 120
STOCK = 20


@pytest.mark.slow
def test_exactly_the_stock_is_reserved_when_fans_rush_the_last_copies(live_server, make_product):
    vinyl = make_product(stock=STOCK)
    slug, product_id = vinyl.release.slug, vinyl.id
    fans = [Fan(live_server) for _ in range(FANS)]
    forms = []
    for fan in fans:
        fan.fill_cart(slug, product_id)
        forms.append(fan.checkout_form())
    start = threading.Barrier(FANS)

    def rush(index: int) -> str:
        start.wait()
        return fans[index].checkout(forms[index])

    with ThreadPoolExecutor(max_workers=FANS) as pool:
        outcomes = Counter(pool.map(rush, range(FANS)))

    assert outcomes == {"reserved": STOCK, "sold_out": FANS - STOCK}
    assert fresh(vinyl).stock == 0
    assert db.session.scalar(select(func.count(Order.id))) == STOCK
