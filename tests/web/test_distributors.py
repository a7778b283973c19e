"""Distributors and consignment shops: allocated units leave the main stock, their sales
(by hand or by CSV statement) are paid orders of the distributor channel, never beyond
what they hold, even when two imports arrive at once; returns come back to the stock."""

from __future__ import annotations

import io
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from storefront.catalog.models import StockMove
from storefront.channels.models import Distributor, DistributorStock
from storefront.channels.services import (
    PROVIDER,
    DistributorFields,
    allocate,
    net_price,
    save_distributor,
)
from storefront.channels.statements import StatementRefused, import_statement
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.actions import may_refund, may_ship
from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from tests.conftest import fresh
from tests.support.fans import Fan
from tests.support.staff import PASSWORD, make_user, send


@pytest.fixture
def shop():
    return save_distributor(
        db.session,
        None,
        fields=DistributorFields(name="Disquaire Lyon", kind="consignment", commission_percent=30),
    )


def held(shop_, product, units: int, option_id=None) -> DistributorStock:
    return allocate(
        db.session, shop_, product, option_id=option_id, units=units, actor="a", now=utcnow()
    )


def csv_file(text: str) -> dict:
    return {"statement": (io.BytesIO(text.encode()), "statement.csv")}


def orders() -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).where(Order.channel == Channel.DISTRIBUTOR)))


def test_a_distributor_is_created_and_edited_from_the_admin(admin):
    data = {
        "name": "Souffle Distribution",
        "kind": "distributor",
        "email": "hello@souffle.example",
        "country": "be",
        "commission": "35",
        "active": "y",
    }
    assert send(admin, "/admin/distributors/new", data).status_code == 302
    distributor = db.session.scalar(select(Distributor))
    assert (distributor.country, distributor.commission_percent) == ("BE", 35)
    twice = send(admin, "/admin/distributors/new", data)
    assert twice.status_code == 422 and "Another distributor has this name" in twice.get_data(
        as_text=True
    )
    bad = send(admin, f"/admin/distributors/{distributor.id}/edit", {**data, "commission": "120"})
    assert bad.status_code == 422
    assert "Souffle Distribution" in admin.get("/admin/distributors").get_data(as_text=True)


def test_allocating_takes_the_units_from_the_main_stock(admin, shop, make_product):
    vinyl = make_product(stock=10)
    page = f"/admin/distributors/{shop.id}"
    sent = send(admin, f"{page}/allocate", {"item": f"{vinyl.id}:0", "units": "4"}, page=page)
    assert sent.status_code == 302
    too_many = send(admin, f"{page}/allocate", {"item": f"{vinyl.id}:0", "units": "7"}, page=page)
    assert too_many.status_code == 422 and "Only 6 left" in too_many.get_data(as_text=True)
    assert fresh(vinyl).stock == 6
    move = db.session.scalar(select(StockMove).where(StockMove.product_id == vinyl.id))
    assert (move.reason, move.delta) == ("consignment", -4)


def test_a_sale_by_hand_is_a_paid_order_that_offers_no_refund_nor_shipping(
    admin, shop, make_product
):
    vinyl = make_product(stock=10, price_cents=2400)
    row = held(shop, vinyl, 5)
    page = f"/admin/distributors/{shop.id}"
    data = {
        "sale-row": str(row.id),
        "sale-quantity": "2",
        "sale-unit_price": "",
        "sale-sold_on": "2026-11-20",
    }
    assert send(admin, f"{page}/sale", data, page=page).status_code == 302
    [order] = orders()
    assert (order.status, order.provider, order.distributor_id) == (
        OrderStatus.PAID,
        PROVIDER,
        shop.id,
    )
    assert order.total_cents == 2 * net_price(2400, 30) == 3360
    assert not may_refund(order) and not may_ship(order)
    assert fresh(row).sold == 2 and fresh(vinyl).stock == 5  # the main stock moved once
    detail = admin.get(f"/admin/orders/{order.reference}").get_data(as_text=True)
    assert f"/admin/orders/{order.reference}/refund" not in detail
    assert f"/admin/orders/{order.reference}/ship" not in detail
    future = send(admin, f"{page}/sale", {**data, "sale-sold_on": "2999-01-01"}, page=page)
    assert future.status_code == 422 and "still to come" in future.get_data(as_text=True)
    more = send(admin, f"{page}/sale", {**data, "sale-quantity": "4"}, page=page)
    assert more.status_code == 422 and "More than they hold" in more.get_data(as_text=True)


def test_a_good_statement_is_imported_in_one_go(admin, shop, make_product):
    vinyl = make_product(stock=10, price_cents=2400)
    shirt = make_product(kind="merch", options={"S": 5, "M": 5}, price_cents=2000)
    held(shop, vinyl, 6)
    held(shop, shirt, 3, option_id=shirt.options[1].id)
    statement = (
        "product_id;size;quantity;unit_price;date\n"
        f"{vinyl.id};;2;15,00;2026-11-02\n"
        f"{shirt.id};M;3;;2026-11-02\n"
        f"{vinyl.id};;1;;2026-11-09\n"
    )
    page = f"/admin/distributors/{shop.id}"
    sent = send(
        admin,
        f"{page}/statement",
        csv_file(statement),
        page=page,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    by_day = sorted(orders(), key=lambda order: order.paid_at)
    assert [order.total_cents for order in by_day] == [2 * 1500 + 3 * 1400, 1680]
    page_text = admin.get(page).get_data(as_text=True)
    assert "Held 3" in page_text or ">3<" in page_text
    assert [row.sold for row in fresh(shop).stock] == [3, 3]


def test_a_statement_with_bad_rows_imports_nothing_and_names_each_error(admin, shop, make_product):
    vinyl = make_product(stock=10)
    held(shop, vinyl, 3)
    statement = (
        "product_id,size,quantity,unit_price,date\n"
        f"{vinyl.id},,2,,2026-11-02\n"  # fine on its own
        "999,,1,,2026-11-02\n"  # row 3: unknown product
        f"{vinyl.id},,2,,2026-11-03\n"  # row 4: 4 > 3 held
        f"{vinyl.id},,zero,,2026-11-03\n"  # row 5: bad quantity
        f"{vinyl.id},,1,,03/11/2026\n"  # row 6: bad date
        f"{vinyl.id},,1,douze,2026-11-03\n"  # row 7: bad price
    )
    page = f"/admin/distributors/{shop.id}"
    refused = send(
        admin,
        f"{page}/statement",
        csv_file(statement),
        page=page,
        content_type="multipart/form-data",
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "5 errors: nothing was imported" in text
    for row, column, words in [
        (3, "product_id", "Unknown product"),
        (4, "quantity", "More than they hold"),
        (5, "quantity", "Bad quantity"),
        (6, "date", "Bad date"),
        (7, "unit_price", "Bad price"),
    ]:
        assert f"<td>{row}</td><td>{column}</td><td>{words}" in text
    assert orders() == [] and fresh(shop).stock[0].sold == 0


def test_a_statement_that_is_not_a_statement_gets_a_clear_message(shop):
    with pytest.raises(StatementRefused) as refused:
        import_statement(db.session, shop, b"\xff\xfe garbage", actor="a", now=utcnow())
    assert "UTF-8" in refused.value.errors[0].message
    with pytest.raises(StatementRefused) as refused:
        import_statement(db.session, shop, b"name,price\nx,1\n", actor="a", now=utcnow())
    assert "Columns missing" in refused.value.errors[0].message


def test_unsold_units_come_back_to_the_main_stock(admin, shop, make_product):
    vinyl = make_product(stock=10)
    row = held(shop, vinyl, 4)
    page = f"/admin/distributors/{shop.id}"
    back = send(
        admin, f"{page}/return", {"return-row": str(row.id), "return-units": "3"}, page=page
    )
    assert back.status_code == 302
    over = send(
        admin, f"{page}/return", {"return-row": str(row.id), "return-units": "2"}, page=page
    )
    assert over.status_code == 422
    assert fresh(vinyl).stock == 9 and fresh(row).returned == 3


class Admin(Fan):
    """An admin's browser against the live server: signed in, sending a statement."""

    def sign_in(self, email: str) -> None:
        token = self.token("/admin/login")
        reply = self.request(
            "/admin/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert reply.status == 302, reply

    def upload(self, path: str, token: str, data: bytes) -> int:
        boundary = "sillon-statement"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="statement"; '
                'filename="statement.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.mark.slow
def test_two_imports_at_once_never_sell_more_than_they_hold(live_server, shop, make_product):
    vinyl = make_product(stock=10)
    held(shop, vinyl, 5)
    make_user("ana@label.example", role="admin")
    statement = f"product_id,size,quantity,unit_price,date\n{vinyl.id},,3,,2026-11-02\n".encode()
    page = f"/admin/distributors/{shop.id}"
    admins = [Admin(live_server) for _ in range(2)]
    tokens = []
    for browser in admins:
        browser.sign_in("ana@label.example")
        tokens.append(browser.token(page))
    start = threading.Barrier(2)

    def run(index: int) -> int:
        start.wait()
        return admins[index].upload(f"{page}/statement", tokens[index], statement)

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(run, range(2)))
    assert statuses == [302, 422]
    assert fresh(shop).stock[0].sold == 3
    assert len(orders()) == 1
