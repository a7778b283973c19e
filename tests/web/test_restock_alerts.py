"""Restock alerts (under a threshold: the label's own, or 25 % of the last run) mailed to
the active admins once per crossing, even under simultaneous sales; restock orders and
the median time they take."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storefront.catalog.models import StockReason
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.inventory.alerts import LowStock, products_under_threshold
from storefront.inventory.models import RestockOrder
from storefront.inventory.moves import put_back, take_out
from storefront.inventory.restocks import median_restock_days, order_restock, receive_restock
from storefront.inventory.services import Count, InventoryRefused, correct_stock
from storefront.mail.models import OutboxMessage
from tests.conftest import fresh
from tests.support.fans import Fan
from tests.support.staff import make_user, send


def alerts() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "restock_alert"))
    )


def low_product(make_product, *, stock: int, last_run: int, **fields):
    product = make_product(stock=stock, **fields)
    product.last_run = last_run
    db.session.commit()
    return product


def take(product, quantity: int, option_id=None) -> None:
    take_out(
        db.session,
        product,
        option_id=option_id,
        quantity=quantity,
        reason=StockReason.LOSS,
        actor="t",
        now=utcnow(),
    )
    db.session.commit()


@pytest.fixture
def admins():
    make_user("ana@label.example", role="admin")
    make_user("old@label.example", role="admin", active=False)
    make_user("staff@label.example", role="staff")


def test_under_a_quarter_of_the_last_run_the_product_is_listed(make_product):
    vinyl = low_product(make_product, stock=30, last_run=100)
    assert products_under_threshold(db.session) == []
    take(vinyl, 6)
    [low] = products_under_threshold(db.session)
    assert isinstance(low, LowStock)
    assert (low.product_id, low.units_left, low.threshold) == (vinyl.id, 24, 25)
    assert low.label == vinyl.describe() and low.since is not None


def test_the_label_s_own_threshold_wins_and_sizes_count_together(make_product):
    shirt = make_product(kind="merch", options={"S": 3, "M": 3})
    shirt.restock_threshold = 7
    db.session.commit()
    [low] = products_under_threshold(db.session)
    assert (low.units_left, low.threshold) == (6, 7)


def test_a_product_without_a_run_or_a_threshold_never_alerts(make_product):
    vinyl = make_product(stock=1)
    take(vinyl, 1)
    assert products_under_threshold(db.session) == [] and alerts() == []


def test_one_mail_per_crossing_to_each_active_admin(admins, make_product):
    vinyl = low_product(make_product, stock=30, last_run=100)
    take(vinyl, 6)
    take(vinyl, 1)
    assert [mail.recipient for mail in alerts()] == ["ana@label.example"]
    assert "24 left" in alerts()[0].subject

    put_back(
        db.session,
        vinyl,
        option_id=None,
        quantity=10,
        reason=StockReason.RETURN,
        actor="t",
        now=utcnow(),
    )
    db.session.commit()
    assert fresh(vinyl).low_stock_since is None  # re-armed
    take(vinyl, 10)
    assert len(alerts()) == 2


def test_a_correction_above_the_threshold_re_arms_the_alert(admins, make_product):
    vinyl = low_product(make_product, stock=30, last_run=100)
    take(vinyl, 10)
    correct_stock(
        db.session, fresh(vinyl), counts=[Count(None, 20, 40)], note="", actor="a", now=utcnow()
    )
    assert fresh(vinyl).low_stock_since is None
    take(vinyl, 20)
    assert len(alerts()) == 2


def test_the_stock_list_shows_the_alert_and_the_threshold_form_sets_it(admin, make_product):
    vinyl = make_product(stock=8)
    page = f"/admin/products/{vinyl.id}/stock"
    assert send(admin, f"{page}/threshold", {"units": "10"}, page=page).status_code == 302
    assert fresh(vinyl).restock_threshold == 10 and fresh(vinyl).low_stock_since is not None
    listing = admin.get("/admin/stock").get_data(as_text=True)
    assert "under its threshold of 10" in listing
    assert send(admin, f"{page}/threshold", {"units": "-3"}, page=page).status_code == 422
    assert send(admin, f"{page}/threshold", {"units": ""}, page=page).status_code == 302
    assert fresh(vinyl).restock_threshold is None


@pytest.mark.slow
def test_simultaneous_sales_crossing_the_line_send_one_mail_per_crossing(
    live_server, admins, make_product
):
    vinyl = low_product(make_product, stock=30, last_run=100)  # threshold 25
    assert _rush(live_server, vinyl, 22) == 22  # 30 -> 8: crossed once, by one of them
    assert len(alerts()) == 1

    restock = order_restock(
        db.session,
        fresh(vinyl),
        option_id=None,
        quantity=20,
        supplier="GZ",
        ordered_at=utcnow() - timedelta(days=9),
        actor="a",
    )
    receive_restock(db.session, restock, received_at=utcnow(), quantity=20, actor="a", now=utcnow())
    assert (fresh(vinyl).stock, fresh(vinyl).last_run) == (28, 20)  # threshold 5: re-armed
    assert fresh(vinyl).low_stock_since is None

    assert _rush(live_server, vinyl, 24) == 24  # 28 -> 4: crossed again
    assert len(alerts()) == 2


def _rush(base_url: str, product, count: int) -> int:
    slug, product_id = product.release.slug, product.id
    fans = [Fan(base_url) for _ in range(count)]
    forms = []
    for fan in fans:
        fan.fill_cart(slug, product_id)
        forms.append(fan.checkout_form())
    start = threading.Barrier(count)

    def checkout(index: int) -> str:
        start.wait()
        return fans[index].checkout(forms[index])

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(checkout, range(count))).count("reserved")


# --- restock orders ---------------------------------------------------------------------


def test_a_restock_order_received_goes_into_the_stock_once(admin, make_product):
    vinyl = make_product(stock=2)
    page = f"/admin/products/{vinyl.id}/stock"
    ordered = {
        "restock-quantity": "300",
        "restock-supplier": "GZ Media",
        "restock-ordered_on": "2026-01-05",
    }
    new = f"/admin/products/{vinyl.id}/restocks"
    assert send(admin, new, ordered, page=page).status_code == 302
    restock = db.session.scalar(select(RestockOrder))
    url = f"/admin/restocks/{restock.id}/receive"
    received = {f"r{restock.id}-received_on": "2026-01-19", f"r{restock.id}-quantity": "298"}
    assert send(admin, url, received, page=page).status_code == 302
    again = send(admin, url, received, page=page)
    assert again.status_code == 422 and "received already" in again.get_data(as_text=True)
    assert (fresh(vinyl).stock, fresh(vinyl).last_run) == (300, 298)
    assert "restock #" in admin.get(page).get_data(as_text=True)


def test_a_restock_cannot_arrive_before_it_was_ordered(make_product):
    vinyl = make_product(stock=2)
    restock = order_restock(
        db.session, vinyl, option_id=None, quantity=5, supplier="", ordered_at=utcnow(), actor="a"
    )
    with pytest.raises(InventoryRefused):
        receive_restock(
            db.session,
            restock,
            received_at=utcnow() - timedelta(days=2),
            quantity=5,
            actor="a",
            now=utcnow(),
        )
    assert fresh(restock).received_at is None and fresh(vinyl).stock == 2


def test_bad_restock_input_gets_messages(admin, make_product):
    vinyl = make_product(stock=2)
    page = f"/admin/products/{vinyl.id}/restocks"
    bad = send(
        admin,
        page,
        {"restock-quantity": "0", "restock-ordered_on": "5 janvier"},
        page=f"/admin/products/{vinyl.id}/stock",
    )
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_median_restock_time_of_a_period(make_product, make_release):
    release = make_release()
    vinyl, cd = make_product(release=release), make_product(release=release, kind="cd")
    other = make_product()

    def restocked(product, ordered: str, days: int | None):
        ordered_at = datetime.fromisoformat(ordered).replace(hour=12, tzinfo=UTC)
        db.session.add(
            RestockOrder(
                product_id=product.id,
                quantity=10,
                actor="a",
                ordered_at=ordered_at,
                received_at=ordered_at + timedelta(days=days) if days is not None else None,
                received_quantity=10 if days is not None else None,
            )
        )

    restocked(vinyl, "2026-03-01", 10)
    restocked(cd, "2026-03-02", 4)
    restocked(other, "2026-03-03", 30)
    restocked(vinyl, "2026-03-10", None)  # not received: not counted
    restocked(vinyl, "2025-01-01", 100)  # received before the period
    db.session.commit()
    march = dict(since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 5, 1, tzinfo=UTC))

    assert median_restock_days(db.session, **march) == 10
    assert median_restock_days(db.session, **march, release_id=release.id) == 7
    empty = dict(since=datetime(2027, 1, 1, tzinfo=UTC), until=datetime(2027, 2, 1, tzinfo=UTC))
    assert median_restock_days(db.session, **empty) is None
