"""A refund is counted once, by Stripe's refund id, whether Stripe's `charge.refunded`
lands before or after the API call that made it returns, and however often it is replayed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import order_by_reference
from tests.support.label import history, paid_order, refund
from tests.support.payments import (
    charge_refunded,
    refund_list,
    refund_object,
    refunds,
    snapshot,
    stored_events,
)
from tests.support.stripe_fakes import stripe_error


@pytest.fixture
def reference(stripe_http, make_product) -> str:
    """A paid Stripe order (€30.90), its payment intent pi_<reference>."""
    return paid_order(make_product(price_cents=2400, stock=5), "stripe")


def charge_event(reference: str, *given: tuple[str, int], **options) -> dict:
    return charge_refunded(
        payment_intent=f"pi_{reference}", amount=3090, refunds=list(given), **options
    )


def answer_refund(stripe_http, reference: str, refund_id: str, amount: int) -> None:
    stripe_http.queue(refund_object(payment_intent=f"pi_{reference}", amount=amount, id=refund_id))


def counted(reference: str) -> tuple[int, list[tuple[int, str]]]:
    return order_by_reference(reference).refunded_cents, [
        (r.amount_cents, r.provider_refund_id) for r in refunds(reference)
    ]


def test_webhook_first_then_the_api_answer(admin, app, stripe_http, send_webhook, reference):
    # Stripe tells the shop about the refund while the API call that made it is still
    # waiting for its answer: the webhook lands first, in its own request.
    answer_refund(stripe_http, reference, "re_race", 1250)
    ask = stripe_http.request

    def webhook_lands_first(method, url, *args, **kwargs):
        if method == "post" and url.endswith("/v1/refunds"):
            hook = send_webhook(charge_event(reference, ("re_race", 1250)))
            assert hook.get_json()["outcome"] == "refund_recorded"
        return ask(method, url, *args, **kwargs)

    stripe_http.request = webhook_lands_first

    assert refund(admin, reference, "12,50").status_code == 302

    assert counted(reference) == (1250, [(1250, "re_race")])
    assert [row[0] for row in history(reference) if row[1] == "refund"] == [
        "stripe",
        "admin@bruitblanc.example",
    ]


def test_api_answer_first_then_the_webhook(admin, stripe_http, send_webhook, reference):
    answer_refund(stripe_http, reference, "re_1", 1250)
    refund(admin, reference, "12,50")
    before = snapshot(reference)

    response = send_webhook(charge_event(reference, ("re_1", 1250)))

    assert response.get_json()["outcome"] == "unchanged"
    assert snapshot(reference) == before
    assert counted(reference) == (1250, [(1250, "re_1")])


def test_partial_refunds_from_both_sides_add_up_once_each(
    admin, stripe_http, send_webhook, reference
):
    answer_refund(stripe_http, reference, "re_1", 1000)
    refund(admin, reference, "10,00")
    # A second refund made on Stripe's dashboard: the charge now lists both.
    both = charge_event(reference, ("re_1", 1000), ("re_2", 500))
    assert send_webhook(both).get_json()["outcome"] == "refund_recorded"
    answer_refund(stripe_http, reference, "re_3", 700)
    refund(admin, reference, "7,00")
    before = snapshot(reference)

    # Replays: the same event again, a stale one, the latest one under a new id.
    assert send_webhook(both).get_json()["outcome"] == "duplicate"
    send_webhook(charge_event(reference, ("re_1", 1000)))
    send_webhook(charge_event(reference, ("re_1", 1000), ("re_2", 500), ("re_3", 700)))

    assert snapshot(reference) == before
    assert counted(reference) == (2200, [(1000, "re_1"), (500, "re_2"), (700, "re_3")])
    assert order_by_reference(reference).status == "paid"


def test_a_failed_refund_counts_nothing(send_webhook, reference):
    event = charge_event(reference, ("re_ok", 500))
    event["data"]["object"]["refunds"]["data"].insert(
        0, refund_object(payment_intent=f"pi_{reference}", amount=800, id="re_no", status="failed")
    )
    send_webhook(event)
    assert counted(reference) == (500, [(500, "re_ok")])


def test_an_event_that_lists_no_refunds_asks_stripe_for_them(stripe_http, send_webhook, reference):
    listed = [refund_object(payment_intent=f"pi_{reference}", amount=900, id="re_listed")]
    stripe_http.queue(refund_list(listed))

    outcome = send_webhook(charge_event(reference, ("re_listed", 900), listed=False)).get_json()

    assert outcome["outcome"] == "refund_recorded"
    [request] = stripe_http.requests
    assert (request.method, request.path) == ("get", "/v1/refunds")
    assert request.query == {"charge": "ch_test_1", "limit": "100"}
    assert counted(reference) == (900, [(900, "re_listed")])


def test_an_incomplete_list_is_completed_from_stripe(stripe_http, send_webhook, reference):
    event = charge_event(reference, ("re_1", 100))
    event["data"]["object"]["refunds"]["has_more"] = True
    stripe_http.queue(
        refund_list(
            [
                refund_object(payment_intent=f"pi_{reference}", amount=200, id="re_2"),
                refund_object(payment_intent=f"pi_{reference}", amount=100, id="re_1"),
            ]
        )
    )
    send_webhook(event)
    assert counted(reference) == (300, [(100, "re_1"), (200, "re_2")])


def test_when_stripe_cannot_list_the_refunds_nothing_is_recorded_and_stripe_retries(
    stripe_http, send_webhook, reference
):
    event = charge_event(reference, ("re_1", 900), listed=False)
    before, events = snapshot(reference), stored_events()
    stripe_http.queue(stripe_error("Stripe is having a bad day.", code="api_error"), status=500)

    response = send_webhook(event)

    assert response.status_code == 502
    assert (snapshot(reference), stored_events()) == (before, events)
    stripe_http.queue(refund_list([refund_object(payment_intent="pi", amount=900, id="re_1")]))
    assert send_webhook(event).get_json()["outcome"] == "refund_recorded"


@pytest.mark.parametrize(
    "refunds_field",
    [
        [],
        "re_1",
        {"data": {"id": "re_1"}},
        {"data": [{"id": "re_1", "amount": "900"}]},
        {"data": [{"id": "re_1", "amount": 9.5}]},
        {"data": [{"id": "re_1", "amount": True}]},
        {"data": [{"amount": 900}]},
        {"data": [{"id": "re 1\u0000", "amount": 900}]},
        {"data": ["re_1"]},
        {"data": [{"id": "re_1", "amount": 900, "status": 7}]},
        {"data": [], "has_more": "no"},
        {"data": [{"id": f"re_{n}", "amount": 1} for n in range(101)]},
    ],
    ids=lambda value: json.dumps(value)[:40],
)
def test_a_malformed_refund_list_is_refused_and_records_nothing(
    stripe_http, send_webhook, reference, refunds_field
):
    event = charge_event(reference)
    event["data"]["object"]["refunds"] = refunds_field
    before, events = snapshot(reference), stored_events()

    assert send_webhook(event).status_code == 400

    assert (snapshot(reference), stored_events()) == (before, events)
    assert stripe_http.requests == []
