"""Checkout reserves stock; unpaid reservations expire and give it back; paid ones never do."""

from datetime import timedelta

from sqlalchemy import func, select, update

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order
from tests.conftest import fresh, order_by_reference
from tests.support.shop import add_to_cart, checkout, pay_test, reference_of


def lapse(reference: str) -> None:
    """Move an order's reservation end into the past."""
    db.session.execute(
        update(Order)
        .where(Order.reference == reference)
        .values(reserved_until=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


def mails_of(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_checkout_takes_stock_and_holds_it_for_the_reservation(app, client, make_product):
    vinyl = make_product(stock=5)
    add_to_cart(client, vinyl, 2)
    order = order_by_reference(reference_of(checkout(client)))
    assert fresh(vinyl).stock == 3
    held = order.reserved_until - order.created_at
    assert held == timedelta(minutes=app.config["RESERVATION_MINUTES"])


def test_sizes_have_their_own_stock(client, make_product):
    shirt = make_product(kind="merch", options={"S": 1, "M": 4})
    small, medium = shirt.options
    add_to_cart(client, shirt, 1, option_id=small.id)
    reference_of(checkout(client))
    assert (fresh(small).stock, fresh(medium).stock) == (0, 4)
    html = client.get(f"/releases/{shirt.release.slug}").get_data(as_text=True)
    assert f'<option value="{small.id}">' not in html
    assert f'<option value="{medium.id}">M</option>' in html


def test_last_unit_goes_to_one_fan_the_other_is_told_it_is_sold_out(app, make_product):
    vinyl = make_product(stock=1)
    first, second = app.test_client(), app.test_client()
    add_to_cart(first, vinyl)
    add_to_cart(second, vinyl)
    assert checkout(first).status_code == 302
    response = checkout(second)
    assert response.status_code == 409
    assert "sold out" in response.get_data(as_text=True).lower() or "épuisé" in response.get_data(
        as_text=True
    )
    assert fresh(vinyl).stock == 0


def test_reading_a_lapsed_order_says_it_expired_and_writes_nothing(client, make_product):
    vinyl = make_product(stock=3)
    add_to_cart(client, vinyl, 2)
    reference = reference_of(checkout(client))
    lapse(reference)
    html = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert "This reservation expired before payment" in html
    assert "Cancel this order" not in html
    release_page = client.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)
    assert "3 left" in release_page, "the lapsed units show as on sale again"
    assert order_by_reference(reference).status == "pending", "pages only read"
    assert fresh(vinyl).stock == 1 and mails_of("order_expired") == []


def test_the_sweeper_gives_a_lapsed_reservation_back_once_and_tells_the_fan(
    app, client, make_product
):
    vinyl = make_product(stock=3)
    add_to_cart(client, vinyl, 2)
    reference = reference_of(checkout(client))
    lapse(reference)
    for _ in range(2):
        app.test_cli_runner().invoke(args=["orders", "sweep"])
    assert order_by_reference(reference).status == "expired"
    assert fresh(vinyl).stock == 3, "stock is given back once only"
    assert len(mails_of("order_expired")) == 1


def test_a_lapsed_reservation_frees_stock_for_the_next_fan_without_the_sweeper(app, make_product):
    vinyl = make_product(stock=1)
    first, second = app.test_client(), app.test_client()
    add_to_cart(first, vinyl)
    lapse(reference_of(checkout(first)))
    add_to_cart(second, vinyl)
    assert checkout(second).status_code == 302
    assert fresh(vinyl).stock == 0


def test_sweep_command_expires_due_reservations_only(app, make_product):
    vinyl = make_product(stock=10)
    due_fan, fresh_fan = app.test_client(), app.test_client()
    add_to_cart(due_fan, vinyl, 3)
    add_to_cart(fresh_fan, vinyl, 2)
    due = reference_of(checkout(due_fan))
    waiting = reference_of(checkout(fresh_fan))
    lapse(due)
    result = app.test_cli_runner().invoke(args=["orders", "sweep"])
    assert "expired 1" in result.output
    assert order_by_reference(due).status == "expired"
    assert order_by_reference(waiting).status == "pending"
    assert fresh(vinyl).stock == 8


def test_a_paid_order_never_loses_its_stock(app, client, make_product):
    vinyl = make_product(stock=2)
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client))
    pay_test(client, reference)
    lapse(reference)
    app.test_cli_runner().invoke(args=["orders", "sweep"])
    client.get(f"/orders/{reference}")
    assert order_by_reference(reference).status == "paid"
    assert fresh(vinyl).stock == 1


def test_expired_order_paid_late_is_honoured_when_stock_remains(client, make_product):
    vinyl = make_product(stock=2)
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client))
    lapse(reference)
    client.get(f"/orders/{reference}")
    pay_test_after_expiry(client, reference)
    order = order_by_reference(reference)
    assert order.status == "paid" and order.stock_held
    assert fresh(vinyl).stock == 1


def test_expired_order_paid_late_is_refunded_when_sold_out_and_the_fan_told_why(
    app, client, make_product
):
    vinyl = make_product(stock=1)
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client))
    lapse(reference)
    other = app.test_client()
    add_to_cart(other, vinyl)
    assert checkout(other).status_code == 302  # the lapsed unit went to someone else
    pay_test_after_expiry(client, reference)
    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", order.total_cents)
    assert fresh(vinyl).stock == 0
    [mail] = mails_of("order_refunded")
    assert order.notice and order.notice in mail.body
    assert "sold out meanwhile" in client.get(f"/orders/{reference}").get_data(as_text=True)


def pay_test_after_expiry(client, reference):
    """The TEST page only offers Pay while pending; a late payment arrives like a webhook."""
    from storefront.payments.services import settle_payment

    order = order_by_reference(reference)
    settle_payment(db.session, order, payment_id="test_pi_late", now=utcnow())


def test_every_order_counts_once(make_product, client):
    vinyl = make_product(stock=4)
    add_to_cart(client, vinyl, 4)
    reference_of(checkout(client))
    assert db.session.scalar(select(func.count(Order.id))) == 1
