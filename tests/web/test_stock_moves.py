"""Every change of the main stock is a stock move with its reason: orders (reservation,
release, late payment, refund), the admin's figures, losses, counts, restocks,
distributors; the stock page explains the figure line by line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from storefront.catalog.admin_services import (
    ProductFields,
    StockSeen,
    create_product,
    update_product,
)
from storefront.catalog.models import StockMove
from storefront.channels.models import Distributor
from storefront.channels.services import ChannelRefused, allocate, take_back
from storefront.clock import utcnow
from storefront.errors import NotEnoughStock
from storefront.extensions import db
from storefront.inventory.restocks import order_restock, receive_restock
from storefront.inventory.services import Count, InventoryRefused, correct_stock, record_loss
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import Buyer, start_checkout
from storefront.orders.models import Order, OrderLine
from storefront.orders.services import (
    PaymentOutcome,
    expire_due_orders,
    expire_order,
    mark_shipped,
    record_payment,
    record_refund,
)
from storefront.orders.shipping import Zone
from storefront.orders.states import OrderStatus
from storefront.stand.stock import StandRefused, reconcile
from storefront.stand.stock import allocate as stand_allocate
from tests.conftest import fresh
from tests.support.staff import send

ADDRESS = dict(name="Fan", line1="1 rue du Bruit", postal_code="69001", city="Lyon", country="FR")


def open_order(product, quantity=1, option_id=None, email="fan@example.org") -> Order:
    cart = Cart()
    cart.add(CartKey(product.id, option_id), quantity)
    return start_checkout(
        db.session,
        cart=price_cart(db.session, cart, Zone.FRANCE),
        buyer=Buyer(email=email, locale="en", **ADDRESS),
        provider="test",
        now=utcnow(),
        reservation_minutes=30,
    )


def moves(product, order=None) -> list[tuple[str, int]]:
    query = select(StockMove.reason, StockMove.delta).where(StockMove.product_id == product.id)
    if order is not None:
        query = query.where(StockMove.order_id == order.id)
    return [tuple(row) for row in db.session.execute(query.order_by(StockMove.id))]


def pay(order, now=None) -> PaymentOutcome:
    return record_payment(db.session, order, payment_id=f"pi_{order.id}", now=now or utcnow())


def test_a_checkout_writes_one_sale_move_and_its_expiry_one_release(make_product):
    vinyl = make_product(stock=10)
    order = open_order(vinyl, quantity=3)
    assert moves(vinyl, order) == [("sale", -3)]
    assert fresh(vinyl).stock == 7

    expire_order(db.session, order, now=utcnow())
    expire_order(db.session, order, now=utcnow())  # a second sweep changes nothing

    assert moves(vinyl, order) == [("sale", -3), ("release", 3)]
    assert fresh(vinyl).stock == 10


def test_a_payment_writes_no_move_of_its_own(make_product):
    vinyl = make_product(stock=10)
    order = open_order(vinyl, quantity=2)
    assert pay(order) is PaymentOutcome.PAID
    assert pay(order) is PaymentOutcome.ALREADY_RECORDED
    assert moves(vinyl, order) == [("sale", -2)]


def test_a_late_payment_takes_the_stock_back_with_exactly_one_more_sale(make_product):
    vinyl = make_product(stock=10)
    order = open_order(vinyl, quantity=2)
    expire_order(db.session, order, now=utcnow())

    assert pay(order) is PaymentOutcome.PAID
    assert pay(order) is PaymentOutcome.ALREADY_RECORDED

    assert moves(vinyl, order) == [("sale", -2), ("release", 2), ("sale", -2)]
    assert fresh(vinyl).stock == 8


def test_a_late_payment_for_units_sold_meanwhile_writes_no_sale(make_product):
    vinyl = make_product(stock=2)
    late = open_order(vinyl, quantity=2)
    expire_order(db.session, late, now=utcnow())
    open_order(vinyl, quantity=2, email="other@example.org")

    assert pay(late) is PaymentOutcome.NEEDS_REFUND

    assert moves(vinyl, late) == [("sale", -2), ("release", 2)]
    assert fresh(vinyl).stock == 0


def test_a_late_payment_refused_by_a_per_fan_limit_writes_no_sale(make_campaign):
    campaign = make_campaign(per_fan_limit=1)
    vinyl = campaign.products[0]
    lapsed = open_order(vinyl)
    expire_order(db.session, lapsed, now=utcnow())
    pay(open_order(vinyl, email="FAN@example.org"))

    assert pay(fresh(lapsed)) is PaymentOutcome.NEEDS_REFUND

    assert moves(vinyl, lapsed) == [("sale", -1), ("release", 1)]
    assert fresh(vinyl).stock == 499
    assert sum(delta for _, delta in moves(vinyl)) == -1


def test_a_refund_before_shipping_puts_the_units_back_with_a_release(make_product):
    vinyl = make_product(stock=5)
    order = open_order(vinyl, quantity=2)
    pay(order)
    record_refund(
        db.session,
        order,
        amount_cents=order.total_cents,
        provider_refund_id="re_1",
        reason="fan",
        now=utcnow(),
    )
    assert fresh(order).status == OrderStatus.REFUNDED
    assert moves(vinyl, order) == [("sale", -2), ("release", 2)]
    assert fresh(vinyl).stock == 5


def test_a_refund_after_shipping_leaves_the_stock_alone(make_product):
    vinyl = make_product(stock=5)
    order = open_order(vinyl, quantity=2)
    pay(order)
    mark_shipped(db.session, order, now=utcnow())
    record_refund(
        db.session,
        order,
        amount_cents=order.total_cents,
        provider_refund_id="re_2",
        reason="lost parcel",
        now=utcnow(),
    )
    assert moves(vinyl, order) == [("sale", -2)]
    assert fresh(vinyl).stock == 3


def test_sizes_are_moved_one_by_one(make_product):
    shirt = make_product(kind="merch", options={"S": 4, "M": 4})
    small = shirt.options[0]
    order = open_order(shirt, quantity=3, option_id=small.id)
    rows = db.session.execute(
        select(StockMove.option_id, StockMove.delta).where(StockMove.order_id == order.id)
    ).all()
    assert [tuple(row) for row in rows] == [(small.id, -3)]


def test_the_stand_takes_and_brings_back_units_through_the_moves(make_gig, make_product):
    vinyl = make_product(stock=10)
    gig = make_gig("Genève")
    row = stand_allocate(db.session, gig, vinyl, option_id=None, units=6, actor="a", now=utcnow())
    with pytest.raises(StandRefused, match="Only 4 left"):
        stand_allocate(
            db.session, gig, fresh(vinyl), option_id=None, units=5, actor="a", now=utcnow()
        )
    reconcile(db.session, gig, brought_back={row.id: 4}, actor="a", now=utcnow())
    assert moves(vinyl) == [("stand_allocation", -6), ("stand_return", 4)]
    assert fresh(vinyl).stock == 8


def test_a_new_product_s_stock_is_its_opening_move_and_its_last_run(make_release):
    release = make_release()
    fields = ProductFields(
        kind="merch", name="Shirt", price_cents=2000, options=(("S", 3), ("M", 5))
    )
    shirt = create_product(db.session, release, fields=fields, actor="ana@label.example")
    assert fresh(shirt).last_run == 8
    assert moves(shirt) == [("correction", 3), ("correction", 5)]


def test_an_admin_s_stock_edit_is_a_correction_of_the_difference(make_release):
    release = make_release()
    fields = ProductFields(kind="vinyl", name="LP", price_cents=2400, stock=10)
    vinyl = create_product(db.session, release, fields=fields)
    open_order(vinyl, quantity=2)
    update_product(
        db.session,
        fresh(vinyl),
        fields=ProductFields(**{**fields.__dict__, "stock": 5}),
        seen=StockSeen(stock=8),
    )
    assert moves(vinyl) == [("correction", 10), ("sale", -2), ("correction", -3)]
    assert fresh(vinyl).stock == 5


def test_a_size_removed_takes_its_units_out_and_keeps_its_moves(make_release):
    release = make_release()
    fields = ProductFields(
        kind="merch", name="Shirt", price_cents=2000, options=(("S", 3), ("M", 5))
    )
    shirt = create_product(db.session, release, fields=fields)
    update_product(
        db.session,
        fresh(shirt),
        fields=ProductFields(**{**fields.__dict__, "options": (("M", 5),)}),
        seen=StockSeen(options={"S": 3, "M": 5}),
    )
    assert [option.label for option in fresh(shirt).options] == ["M"]
    assert sum(delta for _, delta in moves(shirt)) == fresh(shirt).units_left == 5


def test_the_stock_page_explains_the_figure_line_by_line(admin, make_product):
    vinyl = make_product(stock=12)  # made without moves: 12 is its opening figure
    open_order(vinyl, quantity=2)
    record_loss(
        db.session, vinyl, option_id=None, quantity=1, note="warped", actor="a", now=utcnow()
    )
    page = admin.get(f"/admin/products/{vinyl.id}/stock").get_data(as_text=True)
    assert "Opening stock" in page and "warped" in page
    balances = [line.split("<")[0] for line in page.split('class="num">')[1:]]
    assert balances[-1] == "9"
    assert "Sale" in page and "Loss" in page


def test_the_stock_list_links_every_physical_product(admin, make_product):
    vinyl = make_product(stock=3)
    make_product(kind="digital", download_path="downloads/a.zip")
    page = admin.get("/admin/stock").get_data(as_text=True)
    assert f"/admin/products/{vinyl.id}/stock" in page
    assert admin.get(f"/admin/products/{vinyl.id}").status_code == 200
    assert f"/admin/products/{vinyl.id}/stock" in admin.get(f"/admin/products/{vinyl.id}").get_data(
        as_text=True
    )


def test_a_loss_is_taken_out_and_more_than_the_stock_is_refused(admin, make_product):
    vinyl = make_product(stock=3)
    url = f"/admin/products/{vinyl.id}/stock/loss"
    page = f"/admin/products/{vinyl.id}/stock"
    assert (
        send(admin, url, {"loss-quantity": "2", "loss-note": "flood"}, page=page).status_code == 302
    )
    refused = send(admin, url, {"loss-quantity": "5"}, page=page)
    assert refused.status_code == 422 and "Only 1 left" in refused.get_data(as_text=True)
    bad = send(admin, url, {"loss-quantity": "deux"}, page=page)
    assert bad.status_code == 422
    assert moves(vinyl) == [("loss", -2)]
    assert fresh(vinyl).stock == 1


def test_the_count_corrects_the_figure_unless_a_sale_came_meanwhile(admin, make_product):
    shirt = make_product(kind="merch", options={"S": 4, "M": 6})
    small, medium = (option.id for option in shirt.options)
    page = f"/admin/products/{shirt.id}/stock"
    url = f"{page}/count"
    counted = {
        f"count-{small}": "3",
        f"seen-{small}": "4",
        f"count-{medium}": "6",
        f"seen-{medium}": "6",
    }
    assert send(admin, url, counted, page=page).status_code == 302
    assert moves(shirt) == [("correction", -1)]

    open_order(shirt, quantity=1, option_id=medium)
    stale = {**counted, f"count-{small}": "1", f"seen-{small}": "3", f"count-{medium}": "2"}
    refused = send(admin, url, stale, page=page)
    assert refused.status_code == 422 and "changed while you were counting" in refused.get_data(
        as_text=True
    )
    assert [option.stock for option in fresh(shirt).options] == [3, 5]


def test_staff_read_the_stock_page_and_post_nothing(staff, make_product):
    vinyl = make_product(stock=3)
    assert staff.get(f"/admin/products/{vinyl.id}/stock").status_code == 200
    assert staff.get("/admin/stock").status_code == 200
    page = f"/admin/products/{vinyl.id}/stock"
    posted = send(staff, f"{page}/loss", {"loss-quantity": "1"}, page=page)
    assert posted.status_code in (302, 403)
    assert fresh(vinyl).stock == 3


# --- the property: any sequence of operations is explained by its moves -------------------

OPERATIONS = (
    "checkout",
    "expire",
    "pay",
    "refund",
    "loss",
    "count",
    "restock",
    "allocate",
    "take_back",
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 2), st.integers(1, 6)),
        min_size=2,
        max_size=16,
    )
)
def test_opening_stock_plus_the_moves_is_the_stock_after_any_sequence(make_release, steps):
    release = make_release()
    shirt = create_product(
        db.session,
        release,
        fields=ProductFields(
            kind="merch", name="Shirt", price_cents=2000, options=(("S", 4), ("M", 4))
        ),
    )
    vinyl = create_product(
        db.session,
        release,
        fields=ProductFields(kind="vinyl", name="LP", price_cents=2400, stock=6),
    )
    shop = Distributor(name=f"Shop {release.id}")
    db.session.add(shop)
    db.session.commit()
    items = [(shirt, shirt.options[0].id), (shirt, shirt.options[1].id), (vinyl, None)]
    for operation, which, quantity in steps:
        product, option_id = items[which]
        _apply(operation, product, option_id, quantity, shop, {shirt.id, vinyl.id})
        db.session.expire_all()
        for item_product, item_option in items:
            assert _stock(item_product, item_option) == _moved(item_product, item_option)


def _apply(operation, product, option_id, quantity, shop, product_ids) -> None:
    now = utcnow()
    try:
        if operation == "checkout":
            open_order(product, quantity=quantity, option_id=option_id)
        elif operation == "expire":
            db.session.execute(update(Order).values(reserved_until=now - timedelta(minutes=1)))
            db.session.commit()
            expire_due_orders(db.session, now=now)
            db.session.commit()
        elif operation in ("pay", "refund"):
            _pay_or_refund(operation, product_ids, now)
        elif operation == "loss":
            record_loss(
                db.session,
                fresh(product),
                option_id=option_id,
                quantity=quantity,
                note="",
                actor="a",
                now=now,
            )
        elif operation == "count":
            counts = [Count(option_id, _stock(product, option_id), quantity)]
            correct_stock(db.session, fresh(product), counts=counts, note="", actor="a", now=now)
        elif operation == "restock":
            restock = order_restock(
                db.session,
                fresh(product),
                option_id=option_id,
                quantity=quantity,
                supplier="",
                ordered_at=now,
                actor="a",
            )
            receive_restock(
                db.session, restock, received_at=now, quantity=quantity, actor="a", now=now
            )
        elif operation == "allocate":
            allocate(
                db.session,
                shop,
                fresh(product),
                option_id=option_id,
                units=quantity,
                actor="a",
                now=now,
            )
        else:
            row = next(
                (
                    r
                    for r in fresh(shop).stock
                    if r.option_id == option_id and r.product_id == product.id
                ),
                None,
            )
            if row is not None:
                take_back(db.session, row, units=quantity, actor="a", now=now)
    except (NotEnoughStock, InventoryRefused, ChannelRefused):
        db.session.rollback()


def _pay_or_refund(operation, product_ids, now) -> None:
    """Pay the oldest unpaid order of this example (a late payment when it expired);
    refund the oldest paid one, paying one first when none is."""
    mine = select(OrderLine.order_id).where(OrderLine.product_id.in_(product_ids))
    orders = select(Order).where(Order.id.in_(mine)).order_by(Order.id)
    unpaid = [OrderStatus.PENDING, OrderStatus.EXPIRED]
    order = db.session.scalar(orders.where(Order.status.in_(unpaid)))
    if operation == "refund":
        paid = orders.where(Order.status == OrderStatus.PAID)
        if db.session.scalar(paid) is None and order is not None:
            pay(order, now)
        order = db.session.scalar(paid)
    if order is None:
        return
    if operation == "pay":
        pay(order, now)
    else:
        record_refund(
            db.session,
            order,
            amount_cents=order.total_cents,
            provider_refund_id=f"re_{order.id}",
            reason="",
            now=now,
        )


def _stock(product, option_id) -> int:
    product = fresh(product)
    if option_id is None:
        return product.stock
    return next(option.stock for option in product.options if option.id == option_id)


def _moved(product, option_id) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(StockMove.delta), 0)).where(
            StockMove.product_id == product.id,
            StockMove.option_id.is_(None)
            if option_id is None
            else StockMove.option_id == option_id,
        )
    )
