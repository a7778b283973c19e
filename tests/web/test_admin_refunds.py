"""The label refunds an order in full or in part from its admin page, through the order's
own provider, for a reason; a bad amount gets a clear message and changes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import order_by_reference
from tests.support.label import admin_page, history, paid_order, refund, refund_form
from tests.support.payments import mails, refund_object, refunds, stock

ADMIN = "admin@bruitblanc.example"


@pytest.fixture
def vinyl(make_product):
    return make_product(price_cents=2400, stock=5)


def test_a_partial_then_a_full_refund_of_a_test_order(admin, vinyl):
    reference = paid_order(vinyl, "test")
    total = order_by_reference(reference).total_cents

    assert refund(admin, reference, "12,50").status_code == 302

    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("paid", 1250)
    [partial] = refunds(reference)
    assert (partial.amount_cents, partial.reason) == (1250, "Damaged sleeve")
    assert partial.provider_refund_id.startswith(f"test_re_label-{reference}-")
    assert history(reference)[-1][:4] == (ADMIN, "refund", None, None)
    assert "12.50 EUR, Damaged sleeve" in history(reference)[-1][4]
    assert "Refunded €12.50." in admin_page(admin, reference)
    assert mails("order_refunded") == [] and stock(vinyl) == 4

    rest = total - 1250
    refund(admin, reference, f"{rest // 100}.{rest % 100:02d}", "Never arrived")

    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    assert len(mails("order_refunded")) == 1 and stock(vinyl) == 5
    assert (ADMIN, "status", "paid", "refunded") in [row[:4] for row in history(reference)]
    assert 'action="/admin/orders/' + reference + '/refund"' not in admin_page(admin, reference)


def test_a_stripe_refund_asks_for_the_amount_with_a_key_naming_the_form(admin, stripe_http, vinyl):
    reference = paid_order(vinyl, "stripe")
    stripe_http.queue(refund_object(payment_intent=f"pi_{reference}", amount=1250, id="re_a"))
    form = refund_form(admin, reference)

    refund(admin, reference, "12.50", form=form)

    [request] = stripe_http.requests
    assert (request.method, request.path) == ("post", "/v1/refunds")
    assert request.form["amount"] == "1250"
    assert request.form["payment_intent"] == f"pi_{reference}"
    assert request.idempotency_key == f"label-{reference}-{form[1]}-1250"
    [recorded] = refunds(reference)
    assert (recorded.amount_cents, recorded.provider_refund_id) == (1250, "re_a")
    assert order_by_reference(reference).refunded_cents == 1250


@pytest.mark.parametrize("provider", ["test", "stripe"])
def test_a_form_sent_twice_refunds_once(admin, stripe_http, vinyl, provider):
    reference = paid_order(vinyl, provider)
    for _ in range(2):  # Stripe answers a repeated key with the same refund
        stripe_http.queue(refund_object(payment_intent=f"pi_{reference}", amount=500, id="re_b"))
    form = refund_form(admin, reference)

    refund(admin, reference, "5,00", form=form)
    refund(admin, reference, "5,00", form=form)

    assert [r.amount_cents for r in refunds(reference)] == [500]
    assert order_by_reference(reference).refunded_cents == 500
    if provider == "stripe":
        first, second = stripe_http.requests
        assert first.idempotency_key == second.idempotency_key
    assert "(already recorded)" in history(reference)[-1][4]


def test_a_refund_stripe_refuses_changes_nothing_and_says_why(admin, stripe_http, vinyl):
    reference = paid_order(vinyl, "stripe")
    error = {"error": {"type": "invalid_request_error", "message": "Charge already refunded."}}
    stripe_http.queue(error, status=400)

    response = refund(admin, reference, "5,00")

    assert response.status_code == 302
    assert "Stripe refused the refund" in admin_page(admin, reference)
    assert refunds(reference) == [] and order_by_reference(reference).refunded_cents == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than 0."),
        ("0,00", "The amount must be more than 0."),
        ("999,99", "At most €30.90 is left to refund."),
        ("abc", "Write the amount in euros, like 12,50 or 12.50."),
        ("12,505", "Write the amount in euros, like 12,50 or 12.50."),
        ("-5", "Write the amount in euros, like 12,50 or 12.50."),
        ("", "This field is required."),
    ],
)
@pytest.mark.parametrize("provider", ["test", "stripe"])
def test_a_bad_amount_gets_a_clear_message_and_changes_nothing(
    admin, stripe_http, vinyl, provider, amount, message
):
    reference = paid_order(vinyl, provider)
    before = (history(reference), len(mails()))

    response = refund(admin, reference, amount)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{amount}"' in page, "the amount comes back as typed"
    assert stripe_http.requests == []
    assert refunds(reference) == [] and order_by_reference(reference).refunded_cents == 0
    assert (history(reference), len(mails())) == before


def test_what_is_left_bounds_the_next_refund(admin, vinyl):
    reference = paid_order(vinyl, "test")
    refund(admin, reference, "30,00")

    response = refund(admin, reference, "1,00")

    assert response.status_code == 422
    assert "At most €0.90 is left to refund." in response.get_data(as_text=True)
    assert order_by_reference(reference).refunded_cents == 3000


def test_a_refund_needs_a_reason(admin, vinyl):
    reference = paid_order(vinyl, "test")
    response = refund(admin, reference, "5,00", reason="  ")
    assert response.status_code == 422
    assert refunds(reference) == []
