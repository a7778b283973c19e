"""Test payments: the local TEST page's Pay / Fail / Cancel drive the real order state machine."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from config import BASE_DIR
from storefront.delivery.models import DownloadGrant
from storefront.extensions import db
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.payments import cart_quantities, mails, snapshot, stock, stripe_checkout
from tests.support.shop import add_to_cart, cancel_on_order_page, checkout, pay_test, reference_of


@pytest.fixture
def vinyl(make_product):
    return make_product(kind="vinyl", price_cents=2400, stock=5)


@pytest.fixture
def reference(client, vinyl):
    """A pending test-payment order for two vinyls."""
    add_to_cart(client, vinyl, 2)
    response = checkout(client)
    assert "/pay/test/" in response.headers["Location"]
    return reference_of(response)


def test_checkout_without_a_stripe_key_goes_to_the_test_page(client, reference, vinyl):
    order = order_by_reference(reference)
    assert (order.provider, order.status) == ("test", "pending")
    assert stock(vinyl) == 3
    page = client.get(f"/pay/test/{reference}").get_data(as_text=True)
    assert "This is a test payment page" in page and "<h1>TEST" in page
    assert f"€{order.total_cents // 100}.{order.total_cents % 100:02d}" in page
    for button in ("Pay (test)", "Fail (test)", "Cancel"):
        assert f'value="{button}"' in page


def test_pay_confirms_the_order(client, reference, vinyl, make_product):
    response = pay_test(client, reference)

    assert response.headers["Location"].endswith(f"/orders/{reference}/paid")
    order = order_by_reference(reference)
    assert order.status == "paid" and order.paid_at is not None
    assert order.provider_payment_id
    assert stock(vinyl) == 3
    [mail] = mails("order_confirmation")
    assert mail.recipient == "fan@example.org"
    page = client.get(f"/orders/{reference}", headers={"Accept-Language": "en"})
    assert "Paid" in page.get_data(as_text=True)
    assert 'value="Pay (test)"' not in client.get(f"/pay/test/{reference}").get_data(as_text=True)


def test_paying_twice_changes_nothing(client, reference):
    page = client.get(f"/pay/test/{reference}").get_data(as_text=True)
    token = csrf_token_from(page)
    client.post(f"/pay/test/{reference}", data={"csrf_token": token, "pay": "1"})
    before = snapshot(reference)
    client.post(f"/pay/test/{reference}", data={"csrf_token": token, "pay": "1"})
    assert snapshot(reference) == before
    assert len(mails("order_confirmation")) == 1


def test_pay_issues_downloads_for_digital_lines(client, make_product):
    album = make_product(kind="digital", price_cents=800)
    add_to_cart(client, album)
    reference = reference_of(checkout(client))
    pay_test(client, reference)
    [line] = order_by_reference(reference).lines
    grants = db.session.scalars(select(DownloadGrant)).all()
    assert [grant.order_line_id for grant in grants] == [line.id]


def test_fail_cancels_and_gives_the_stock_back(client, reference, vinyl):
    response = pay_test(client, reference, "fail")

    assert response.headers["Location"].endswith(f"/orders/{reference}")
    order = order_by_reference(reference)
    assert (order.status, order.paid_at, order.stock_held) == ("canceled", None, False)
    assert stock(vinyl) == 5
    assert mails("order_confirmation") == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The test payment failed" in page


def test_cancel_refills_the_cart_and_gives_the_stock_back(client, reference, vinyl):
    assert cart_quantities(client) == {}

    response = pay_test(client, reference, "cancel")

    assert response.headers["Location"].endswith("/cart")
    assert order_by_reference(reference).status == "canceled"
    assert stock(vinyl) == 5
    assert cart_quantities(client) == {f"{vinyl.id}:0": 2}
    assert "back in your cart" in client.get("/cart").get_data(as_text=True)


def test_the_order_page_offers_payment_or_cancelling_while_pending(client, reference, vinyl):
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert "Go to payment" in page and "put the items back in my cart" in page

    response = cancel_on_order_page(client, reference)

    assert response.headers["Location"].endswith("/cart")
    assert order_by_reference(reference).status == "canceled" and stock(vinyl) == 5
    assert cart_quantities(client) == {f"{vinyl.id}:0": 2}
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert "Go to payment" not in page and "put the items back in my cart" not in page


def test_a_post_without_the_csrf_token_changes_nothing(client, reference):
    before = snapshot(reference)
    assert client.post(f"/pay/test/{reference}", data={"pay": "1"}).status_code == 400
    assert snapshot(reference) == before


def test_test_page_is_404_when_test_payments_are_off(app, client, reference, monkeypatch):
    token = csrf_token_from(client.get(f"/pay/test/{reference}").get_data(as_text=True))
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", False)
    before = snapshot(reference)

    assert client.get(f"/pay/test/{reference}").status_code == 404
    response = client.post(f"/pay/test/{reference}", data={"csrf_token": token, "pay": "1"})

    assert response.status_code == 404
    assert snapshot(reference) == before


def test_a_stripe_order_cannot_be_paid_on_the_test_page(
    app, client, post_form, stripe_http, vinyl, monkeypatch
):
    reference, _ = stripe_checkout(client, stripe_http, vinyl)
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", True)
    before = snapshot(reference)
    assert client.get(f"/pay/test/{reference}").status_code == 404
    assert post_form(f"/pay/test/{reference}", {"pay": "1"}).status_code == 404
    assert snapshot(reference) == before


def test_unknown_order_on_the_test_page_is_404(client):
    assert client.get("/pay/test/nope").status_code == 404


def config_in_a_fresh_process(expression: str, **env: str) -> str:
    """Evaluate `expression` after `import config`, with exactly these payment settings."""
    clean = {k: v for k, v in os.environ.items() if k not in ("STRIPE_SECRET_KEY", "TEST_PAYMENTS")}
    result = subprocess.run(
        [sys.executable, "-c", f"import config; print({expression})"],
        env={**clean, **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True"),
        ({"STRIPE_SECRET_KEY": "sk_live_x"}, "False"),
        ({"STRIPE_SECRET_KEY": "sk_live_x", "TEST_PAYMENTS": "1"}, "True"),
    ],
    ids=["no_key", "stripe_key", "forced"],
)
def test_test_payments_are_used_automatically_when_no_stripe_key_is_set(env, expected):
    assert config_in_a_fresh_process("config.Config.TEST_PAYMENTS", **env) == expected
