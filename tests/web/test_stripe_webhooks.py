"""POST /stripe/webhook: signed events applied once, whatever order they arrive in."""

import json
import time

import pytest
from markupsafe import escape
from sqlalchemy import select

from storefront.delivery.models import DownloadGrant
from storefront.extensions import db
from storefront.payments.models import PaymentEvent
from tests.conftest import order_by_reference
from tests.support.payments import (
    charge_refunded,
    completed,
    expire_locally,
    mails,
    refund_object,
    refunds,
    sell_out,
    session_event,
    snapshot,
    stock,
    stored_events,
    stripe_checkout,
)
from tests.support.stripe_fakes import signed_headers

PI = "pi_test_1"


@pytest.fixture
def vinyl(make_product):
    return make_product(kind="vinyl", price_cents=2400, stock=5)


@pytest.fixture
def order(client, stripe_http, vinyl):
    """A pending Stripe order for one vinyl: (reference, Checkout Session id)."""
    return stripe_checkout(client, stripe_http, vinyl)


def post_raw(client, body: str, headers: dict):
    return client.post("/stripe/webhook", data=body, headers=headers)


def paid(reference: str, session_id: str, **fields) -> dict:
    return completed(reference, session_id=session_id, payment_intent=PI, **fields)


# --- signatures ---------------------------------------------------------------------------


def _no_header(body):
    return {"Content-Type": "application/json"}


def _wrong_secret(body):
    return signed_headers(body, secret="whsec_someone_else")


def _stale(body):
    return signed_headers(body, timestamp=int(time.time()) - 301)


def _garbled(body):
    return {"Stripe-Signature": "t=1,v0=abc", "Content-Type": "application/json"}


@pytest.mark.parametrize(
    "headers", [_no_header, _wrong_secret, _stale, _garbled], ids=lambda f: f.__name__[1:]
)
def test_unverified_events_are_refused_and_change_nothing(client, order, headers):
    reference, session_id = order
    body = json.dumps(paid(reference, session_id))
    before = snapshot(reference)

    response = post_raw(client, body, headers(body))

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_signature"
    assert snapshot(reference) == before
    assert stored_events() == 0


def test_tampered_body_is_refused(client, order):
    """Signed while unpaid, then edited to say paid: the signature no longer matches."""
    reference, session_id = order
    signed = json.dumps(paid(reference, session_id, payment_status="unpaid"))
    tampered = signed.replace('"unpaid"', '"paid"')
    assert tampered != signed
    before = snapshot(reference)

    response = post_raw(client, tampered, signed_headers(signed))

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_signature"
    assert snapshot(reference) == before
    assert stored_events() == 0


def test_recent_signature_and_rotated_secret_are_accepted(client, order):
    reference, session_id = order
    body = json.dumps(paid(reference, session_id))
    timestamp = int(time.time()) - 200
    old = signed_headers(body, secret="whsec_old", timestamp=timestamp)["Stripe-Signature"]
    new = signed_headers(body, timestamp=timestamp)["Stripe-Signature"]
    header = f"{old},v1={new.split('v1=')[1]}"  # Stripe signs with both during a rotation

    response = post_raw(client, body, {"Stripe-Signature": header})

    assert response.status_code == 200
    assert order_by_reference(reference).status == "paid"


@pytest.mark.parametrize("body", ["not json {", "[1, 2]", "{}", '{"id": "evt_x"}'])
def test_signed_body_that_is_not_an_event_is_refused(client, order, body):
    reference, _ = order
    before = snapshot(reference)
    response = post_raw(client, body, signed_headers(body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_payload"
    assert snapshot(reference) == before
    assert stored_events() == 0


def test_no_webhook_secret_configured_refuses_everything(app, client, order, monkeypatch):
    reference, session_id = order
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    body = json.dumps(paid(reference, session_id))
    response = post_raw(client, body, signed_headers(body, secret=""))
    assert response.status_code == 400
    assert order_by_reference(reference).status == "pending"


# --- checkout.session.* -------------------------------------------------------------------


def test_completed_and_paid_confirms_the_order_once(
    client, stripe_http, send_webhook, vinyl, make_product
):
    album = make_product(kind="digital", price_cents=800)
    reference, session_id = stripe_checkout(client, stripe_http, vinyl, album)
    payment = paid(reference, session_id)

    response = send_webhook(payment)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "paid"
    order = order_by_reference(reference)
    assert (order.status, order.provider_payment_id) == ("paid", PI)
    assert order.paid_at is not None and order.stock_held
    [mail] = mails("order_confirmation")
    assert mail.recipient == "fan@example.org" and reference in mail.body
    digital_line = next(line for line in order.lines if line.kind == "digital")
    grants = db.session.scalars(select(DownloadGrant)).all()
    assert [grant.order_line_id for grant in grants] == [digital_line.id]
    assert "Download" in client.get(f"/orders/{reference}").get_data(as_text=True)
    stored = db.session.get(PaymentEvent, payment["id"])
    assert (stored.order_reference, stored.outcome) == (reference, "paid")
    assert stock(vinyl) == 4

    before = snapshot(reference)
    again = send_webhook(payment)

    assert again.status_code == 200
    assert again.get_json()["outcome"] == "duplicate"
    assert snapshot(reference) == before
    assert len(mails("order_confirmation")) == 1
    assert len(db.session.scalars(select(DownloadGrant)).all()) == 1


def test_async_success_after_completed_is_not_a_second_payment(send_webhook, order, vinyl):
    reference, session_id = order
    send_webhook(paid(reference, session_id))
    before = snapshot(reference)

    response = send_webhook(
        session_event(
            "checkout.session.async_payment_succeeded",
            reference,
            session_id=session_id,
            payment_intent=PI,
        )
    )

    assert response.status_code == 200
    assert snapshot(reference) == before
    assert len(mails("order_confirmation")) == 1
    assert stock(vinyl) == 4


def test_completed_but_unpaid_waits_for_the_async_payment(send_webhook, order):
    reference, session_id = order
    send_webhook(paid(reference, session_id, payment_status="unpaid"))
    order = order_by_reference(reference)
    assert (order.status, order.paid_at) == ("pending", None)
    assert mails("order_confirmation") == []

    send_webhook(
        session_event(
            "checkout.session.async_payment_succeeded",
            reference,
            session_id=session_id,
            payment_intent=PI,
        )
    )
    assert order_by_reference(reference).status == "paid"
    assert len(mails("order_confirmation")) == 1


def test_async_payment_failed_cancels_and_gives_the_stock_back(send_webhook, order, vinyl):
    reference, session_id = order
    send_webhook(paid(reference, session_id, payment_status="unpaid"))
    assert stock(vinyl) == 4

    response = send_webhook(
        session_event(
            "checkout.session.async_payment_failed",
            reference,
            session_id=session_id,
            payment_intent=PI,
            payment_status="unpaid",
        )
    )

    assert response.get_json()["outcome"] == "canceled"
    order = order_by_reference(reference)
    assert (order.status, order.paid_at, order.stock_held) == ("canceled", None, False)
    assert stock(vinyl) == 5
    assert mails("order_confirmation") == []


def expired_event(reference: str, session_id: str) -> dict:
    return session_event(
        "checkout.session.expired",
        reference,
        session_id=session_id,
        status="expired",
        payment_status="unpaid",
    )


def test_expired_session_expires_the_order_and_gives_the_stock_back(send_webhook, order, vinyl):
    reference, session_id = order
    response = send_webhook(expired_event(reference, session_id))
    assert response.get_json()["outcome"] == "expired"
    assert order_by_reference(reference).status == "expired"
    assert stock(vinyl) == 5
    assert len(mails("order_expired")) == 1

    send_webhook(expired_event(reference, session_id))  # redelivered under a new event id
    assert stock(vinyl) == 5 and len(mails("order_expired")) == 1


def test_expired_arriving_after_completed_leaves_the_order_paid(send_webhook, order, vinyl):
    reference, session_id = order
    send_webhook(paid(reference, session_id))
    before = snapshot(reference)

    response = send_webhook(expired_event(reference, session_id))

    assert response.status_code == 200
    assert snapshot(reference) == before
    assert order_by_reference(reference).status == "paid"
    assert stock(vinyl) == 4


def test_payment_after_local_expiry_is_honoured_while_stock_remains(
    client, send_webhook, order, vinyl
):
    reference, session_id = order
    expire_locally(reference)
    assert stock(vinyl) == 5

    response = send_webhook(paid(reference, session_id))

    assert response.get_json()["outcome"] == "paid"
    order = order_by_reference(reference)
    assert (order.status, order.stock_held, order.refunded_cents) == ("paid", True, 0)
    assert stock(vinyl) == 4, "the unit is taken again"
    assert len(mails("order_confirmation")) == 1
    assert refunds(reference) == []


@pytest.fixture
def sold_out_meanwhile(client, stripe_http, make_product):
    """A Stripe order for the last copy, expired locally; the copy then sold elsewhere."""
    last = make_product(kind="vinyl", price_cents=2400, stock=1)
    reference, session_id = stripe_checkout(client, stripe_http, last)
    expire_locally(reference)
    sell_out(last)
    stripe_http.requests.clear()
    return reference, session_id, last


def test_late_payment_for_sold_out_stock_is_refunded_and_the_fan_told_why(
    client, stripe_http, send_webhook, sold_out_meanwhile
):
    reference, session_id, last = sold_out_meanwhile
    total = order_by_reference(reference).total_cents
    stripe_http.queue(refund_object(payment_intent=PI, amount=total, id="re_late_1"))

    response = send_webhook(paid(reference, session_id))

    assert response.status_code == 200
    [request] = stripe_http.requests
    assert (request.method, request.path) == ("post", "/v1/refunds")
    assert request.form["payment_intent"] == PI
    assert int(request.form["amount"]) == total
    assert request.idempotency_key and reference in request.idempotency_key
    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    [refund] = refunds(reference)
    assert (refund.amount_cents, refund.provider_refund_id) == (total, "re_late_1")
    assert stock(last) == 0, "the copy sold elsewhere stays sold"
    assert mails("order_confirmation") == []
    [mail] = mails("order_refunded")
    assert mail.recipient == "fan@example.org"
    assert "sold out" in order.notice and order.notice in mail.body
    assert str(escape(order.notice)) in client.get(f"/orders/{reference}").get_data(as_text=True)

    before = snapshot(reference)
    send_webhook(paid(reference, session_id))  # another delivery, another event id
    send_webhook(
        session_event(
            "checkout.session.async_payment_succeeded",
            reference,
            session_id=session_id,
            payment_intent=PI,
        )
    )
    assert len(stripe_http.requests) == 1, "no second refund is asked for"
    assert snapshot(reference) == before


def test_refund_failing_at_stripe_keeps_the_payment_and_leaves_the_refund_owed(
    stripe_http, send_webhook, sold_out_meanwhile
):
    reference, session_id, _ = sold_out_meanwhile
    stripe_http.queue({"error": {"type": "api_error", "message": "Try again later."}}, status=500)

    response = send_webhook(paid(reference, session_id))

    assert response.status_code == 200
    order = order_by_reference(reference)
    assert (order.status, order.provider_payment_id) == ("expired", PI)
    assert order.paid_at is not None, "the money was taken: reconcile will refund it"
    assert refunds(reference) == [] and mails("order_refunded") == []


# --- charge.refunded ----------------------------------------------------------------------


def test_partial_then_full_refund_at_stripe(send_webhook, order, vinyl):
    reference, session_id = order
    send_webhook(paid(reference, session_id))
    total = order_by_reference(reference).total_cents
    re_1, re_2, re_3 = ("re_1", 1000), ("re_2", 500), ("re_3", total - 1500)
    partial = charge_refunded(payment_intent=PI, amount=total, refunds=[re_1])

    assert send_webhook(partial).get_json()["outcome"] == "refund_recorded"

    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("paid", 1000)
    assert [r.amount_cents for r in refunds(reference)] == [1000]
    assert stock(vinyl) == 4, "a partial refund keeps the parcel going"
    assert mails("order_refunded") == []

    before = snapshot(reference)
    assert send_webhook(partial).get_json()["outcome"] == "duplicate"
    replay = charge_refunded(payment_intent=PI, amount=total, refunds=[re_1])
    assert send_webhook(replay).get_json()["outcome"] == "unchanged"
    assert snapshot(reference) == before

    second = charge_refunded(payment_intent=PI, amount=total, refunds=[re_1, re_2])
    send_webhook(second)  # a second partial refund: the charge lists both

    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("paid", 1500)
    assert [r.amount_cents for r in refunds(reference)] == [1000, 500]

    full = charge_refunded(payment_intent=PI, amount=total, refunds=[re_1, re_2, re_3])
    send_webhook(full)

    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    assert [r.amount_cents for r in refunds(reference)] == [1000, 500, total - 1500]
    assert stock(vinyl) == 5, "an unshipped refunded order gives its stock back"
    assert len(mails("order_refunded")) == 1

    before = snapshot(reference)
    send_webhook(partial)
    send_webhook(second)
    send_webhook(charge_refunded(payment_intent=PI, amount=total, refunds=[re_1]))
    send_webhook(full)
    assert snapshot(reference) == before


def test_partial_refund_delivered_after_the_full_one_changes_nothing(send_webhook, order):
    reference, session_id = order
    send_webhook(paid(reference, session_id))
    total = order_by_reference(reference).total_cents
    partial = charge_refunded(payment_intent=PI, amount=total, refunds=[("re_1", 500)])
    full = charge_refunded(
        payment_intent=PI, amount=total, refunds=[("re_1", 500), ("re_2", total - 500)]
    )

    send_webhook(full)
    before = snapshot(reference)
    send_webhook(partial)

    assert snapshot(reference) == before
    assert order_by_reference(reference).refunded_cents == total
    assert [r.amount_cents for r in refunds(reference)] == [500, total - 500]


def test_charge_refunded_for_our_own_late_refund_is_not_counted_twice(
    stripe_http, send_webhook, sold_out_meanwhile
):
    reference, session_id, _ = sold_out_meanwhile
    total = order_by_reference(reference).total_cents
    stripe_http.queue(refund_object(payment_intent=PI, amount=total))
    send_webhook(paid(reference, session_id))
    before = snapshot(reference)

    send_webhook(charge_refunded(payment_intent=PI, amount=total, refunds=[("re_test_1", total)]))

    assert snapshot(reference) == before


# --- what is not ours ---------------------------------------------------------------------


def test_unknown_event_type_is_acknowledged_and_ignored(send_webhook, order):
    reference, session_id = order
    before = snapshot(reference)
    response = send_webhook(
        session_event("checkout.session.something_new", reference, session_id=session_id)
    )
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert snapshot(reference) == before


@pytest.mark.parametrize(
    "make_event",
    [
        lambda: completed("no-such-order", session_id="cs_elsewhere", payment_intent="pi_x"),
        lambda: charge_refunded(
            payment_intent="pi_unknown", amount=2400, refunds=[("re_x", 2400)], listed=False
        ),
    ],
    ids=["session", "charge"],
)
def test_events_for_orders_we_do_not_know_are_acknowledged_and_ignored(
    send_webhook, order, make_event
):
    reference, _ = order
    before = snapshot(reference)
    response = send_webhook(make_event())
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert snapshot(reference) == before
