"""Staff at the stand, on a phone: two CDs sold for cash, the venue's signal goes, one
more sold, the signal comes back: three sales recorded, each once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.stand.models import StandStock
from tests.support.staff import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_sale_made_offline_is_sent_once_when_the_signal_returns(
    live_server, phone, make_gig, make_product
):
    gig = make_gig()
    cd = make_product(kind="cd", price_cents=1200, stock=20)
    db.session.add(StandStock(gig_id=gig.id, product=cd, allocated=6, sold=0))
    db.session.commit()
    make_user("stand@bruitblanc.example", role="stand")

    phone.goto(f"{live_server}/admin/login")
    phone.get_by_label("Email").fill("stand@bruitblanc.example")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("link", name="Lausanne").click()

    tile = phone.locator(".stand-tile")
    tile.click()
    tile.click()
    assert "2 \u00d7" in phone.locator(".sale-lines").inner_text()
    assert phone.locator(".sale-total strong").inner_text() == "€24.00"
    phone.get_by_role("button", name="Cash").click()
    phone.locator(".flash-success").filter(has_text="Sold: €24.00.").wait_for()
    assert "4 left" in tile.inner_text()

    phone.context.set_offline(True)
    tile.click()
    phone.get_by_role("button", name="Cash").click()
    queue = phone.locator(".stand-queue")
    queue.filter(has_text="Waiting to be sent: 1").wait_for()
    assert "3 left" in tile.inner_text()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 1, "nothing reached the shop"

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator(".flash-success").filter(has_text="Sold: €12.00.").wait_for()
    queue.wait_for(state="hidden")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 2
    assert db.session.scalar(select(StandStock.sold)) == 3
    phone.reload()
    assert "3 left" in phone.locator(".stand-tile").inner_text()
    assert phone.locator(".stand-queue").is_hidden(), "sent once: nothing waits after reload"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 2
