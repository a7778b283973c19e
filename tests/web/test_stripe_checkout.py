"""Checking out with Stripe: the Checkout Session the shop asks for, and when Stripe says no."""

from datetime import timedelta

import pytest

from storefront.clock import utcnow
from tests.conftest import order_by_reference
from tests.support.payments import cart_quantities, stock, stripe_checkout
from tests.support.shop import add_to_cart, cancel_on_order_page, checkout
from tests.support.stripe_fakes import checkout_session, stripe_error


def line_items(form: dict[str, str]) -> list[dict]:
    """The `line_items[i][...]` fields of a recorded form, one dict per item."""
    items = []
    while f"line_items[{len(items)}][quantity]" in form:
        prefix = f"line_items[{len(items)}]"
        items.append(
            {
                "name": form[f"{prefix}[price_data][product_data][name]"],
                "unit_amount": int(form[f"{prefix}[price_data][unit_amount]"]),
                "currency": form[f"{prefix}[price_data][currency]"],
                "quantity": int(form[f"{prefix}[quantity]"]),
            }
        )
    return items


def test_checkout_sends_the_fan_to_a_stripe_session_for_the_order(
    app, client, stripe_http, make_product
):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=5)
    album = make_product(kind="digital", price_cents=800)
    before = utcnow()

    reference, session_id = stripe_checkout(client, stripe_http, vinyl, album)

    [request] = stripe_http.requests
    assert (request.method, request.path) == ("post", "/v1/checkout/sessions")
    order = order_by_reference(reference)
    form = request.form
    items = line_items(form)
    assert [(i["unit_amount"], i["quantity"]) for i in items[:2]] == [(2400, 1), (800, 1)]
    assert items[2]["unit_amount"] == order.shipping_cents > 0  # the shipping line
    assert {i["currency"] for i in items} == {"eur"}
    assert sum(i["unit_amount"] * i["quantity"] for i in items) == order.total_cents
    assert form["mode"] == "payment"
    assert form["client_reference_id"] == reference
    assert form["metadata[order_reference]"] == reference
    assert form["customer_email"] == "fan@example.org"
    public = app.config["PUBLIC_URL"]
    assert form["success_url"] == f"{public}/orders/{reference}/paid"
    assert form["cancel_url"] == f"{public}/orders/{reference}/canceled"
    expires_at = int(form["expires_at"])
    assert expires_at >= order.reserved_until.timestamp()
    assert expires_at >= (before + timedelta(minutes=30)).timestamp()
    assert expires_at <= (utcnow() + timedelta(hours=24)).timestamp()
    assert request.idempotency_key and reference in request.idempotency_key
    assert (order.status, order.provider, order.provider_session_id) == (
        "pending",
        "stripe",
        session_id,
    )
    assert stock(vinyl) == 4
    assert cart_quantities(client) == {}, "the cart is emptied once the fan is sent to pay"


def test_digital_only_checkout_has_no_shipping_line(client, stripe_http, make_product):
    album = make_product(kind="digital", price_cents=800)
    add_to_cart(client, album, 2)
    reference, _ = stripe_checkout(client, stripe_http)
    items = line_items(stripe_http.requests[-1].form)
    assert [(i["unit_amount"], i["quantity"]) for i in items] == [(800, 2)]
    assert order_by_reference(reference).total_cents == 1600


def test_session_lasts_as_long_as_a_longer_reservation(
    app, client, stripe_http, make_product, monkeypatch
):
    monkeypatch.setitem(app.config, "RESERVATION_MINUTES", 90)
    reference, _ = stripe_checkout(client, stripe_http, make_product(stock=3))
    reserved_until = order_by_reference(reference).reserved_until
    assert int(stripe_http.requests[-1].form["expires_at"]) == int(reserved_until.timestamp())


def test_each_order_has_its_own_idempotency_key(app, stripe_http, make_product):
    vinyl = make_product(stock=5)
    first, second = app.test_client(), app.test_client()
    stripe_checkout(first, stripe_http, vinyl)
    stripe_checkout(second, stripe_http, vinyl)
    keys = [request.idempotency_key for request in stripe_http.requests]
    assert len(set(keys)) == 2 and all(keys)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, stripe_error("Invalid currency: xyz", code="parameter_invalid_empty")),
        (500, {"error": {"type": "api_error", "message": "Something went wrong on our end."}}),
    ],
    ids=["refused", "stripe_down"],
)
def test_stripe_error_tells_the_fan_and_releases_the_reservation(
    client, stripe_http, make_product, status, body
):
    vinyl = make_product(stock=3)
    add_to_cart(client, vinyl, 2)
    stripe_http.queue(body, status=status)

    response = checkout(client)

    assert response.status_code not in (200, 302, 500)
    html = response.get_data(as_text=True)
    assert "payment service did not answer" in html
    assert "Invalid currency" not in html, "Stripe's own wording is not for the fan"
    [request] = stripe_http.requests
    order = order_by_reference(request.form["client_reference_id"])
    assert order.status == "canceled" and not order.stock_held
    assert stock(vinyl) == 3
    assert cart_quantities(client) == {f"{vinyl.id}:0": 2}, "the fan can try again"


def test_leaving_the_stripe_page_releases_the_stock_and_refills_the_cart(
    client, stripe_http, make_product
):
    vinyl = make_product(stock=3)
    reference, session_id = stripe_checkout(client, stripe_http, vinyl, quantity=2)
    assert stock(vinyl) == 1
    stripe_http.queue(checkout_session(reference, id=session_id, status="expired"))

    response = cancel_on_order_page(client, reference)

    expire = stripe_http.requests[-1]
    assert (expire.method, expire.path) == ("post", f"/v1/checkout/sessions/{session_id}/expire")
    assert response.headers["Location"].endswith("/cart")
    assert order_by_reference(reference).status == "canceled"
    assert stock(vinyl) == 3
    assert cart_quantities(client) == {f"{vinyl.id}:0": 2}
    cancel_on_order_page(client, reference)
    assert stock(vinyl) == 3 and cart_quantities(client) == {f"{vinyl.id}:0": 2}


def test_coming_back_from_stripe_only_offers_to_cancel(client, stripe_http, make_product):
    vinyl = make_product(stock=3)
    reference, _ = stripe_checkout(client, stripe_http, vinyl, quantity=2)
    asked = len(stripe_http.requests)

    response = client.get(f"/orders/{reference}/canceled", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.request.path == f"/orders/{reference}"
    assert "Your items are still held for you" in html
    assert "Cancel this order and put the items back in my cart" in html
    assert f'action="/orders/{reference}/cancel"' in html
    assert len(stripe_http.requests) == asked, "Stripe is not asked to close the payment"
    assert order_by_reference(reference).status == "pending"
    assert stock(vinyl) == 1 and cart_quantities(client) == {}


def test_cancelling_without_the_csrf_token_changes_nothing(client, stripe_http, make_product):
    vinyl = make_product(stock=3)
    reference, _ = stripe_checkout(client, stripe_http, vinyl)

    response = client.post(f"/orders/{reference}/cancel")

    assert response.status_code == 400
    assert order_by_reference(reference).status == "pending" and stock(vinyl) == 2


def test_leaving_after_paying_in_another_tab_keeps_the_order(client, stripe_http, make_product):
    vinyl = make_product(stock=3)
    reference, session_id = stripe_checkout(client, stripe_http, vinyl)
    stripe_http.queue(
        stripe_error("This Checkout Session is complete.", code="checkout_session_complete"),
        status=400,
    )
    stripe_http.queue(
        checkout_session(
            reference,
            id=session_id,
            status="complete",
            payment_status="paid",
            payment_intent="pi_1",
        )
    )

    cancel_on_order_page(client, reference)

    assert order_by_reference(reference).status == "pending", "the webhook will settle it"
    assert stock(vinyl) == 2


def test_back_from_stripe_before_the_webhook_says_it_is_on_its_way(
    client, stripe_http, make_product
):
    reference, _ = stripe_checkout(client, stripe_http, make_product(stock=3))
    response = client.get(f"/orders/{reference}/paid", follow_redirects=True)
    assert "confirmation is on its way" in response.get_data(as_text=True)
    assert order_by_reference(reference).status == "pending"
