"""`flask payments reconcile`: ask Stripe what became of unsettled orders, apply what
the webhooks missed, and finish refunds that were interrupted."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.payments import services
from tests.conftest import order_by_reference
from tests.support.payments import (
    completed,
    expire_locally,
    mails,
    order_total,
    refund_object,
    refunds,
    sell_out,
    snapshot,
    stock,
    stripe_checkout,
)
from tests.support.shop import add_to_cart, checkout, reference_of
from tests.support.stripe_fakes import checkout_session, stripe_error

PI = "pi_test_reconcile"
STRIPE_DOWN = {"error": {"type": "api_error", "message": "Try again later."}}


@pytest.fixture
def vinyl(make_product):
    return make_product(kind="vinyl", price_cents=2400, stock=5)


@pytest.fixture
def order(client, stripe_http, vinyl):
    """A pending Stripe order for one vinyl whose webhooks never came."""
    reference, session_id = stripe_checkout(client, stripe_http, vinyl)
    stripe_http.requests.clear()
    return reference, session_id


@pytest.fixture
def run(app):
    """Run `flask payments reconcile` as cron does; its output."""

    def run_command() -> str:
        result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
        assert result.exit_code == 0, result.output
        return result.output

    return run_command


def remote(reference: str, session_id: str, status: str, payment_status: str) -> dict:
    return checkout_session(
        reference,
        id=session_id,
        status=status,
        payment_status=payment_status,
        payment_intent=PI if payment_status == "paid" else None,
        amount_total=order_total(reference),
    )


def test_a_paid_session_the_webhook_missed_pays_the_order(run, stripe_http, order, vinyl):
    reference, session_id = order
    stripe_http.queue(remote(reference, session_id, "complete", "paid"))

    output = run()

    [request] = stripe_http.requests
    assert (request.method, request.path) == ("get", f"/v1/checkout/sessions/{session_id}")
    assert "paid=1" in output
    order = order_by_reference(reference)
    assert (order.status, order.provider_payment_id) == ("paid", PI)
    assert stock(vinyl) == 4
    assert len(mails("order_confirmation")) == 1

    run()  # a paid order is settled: Stripe is not asked again
    assert len(stripe_http.requests) == 1
    assert len(mails("order_confirmation")) == 1


def test_an_expired_session_expires_the_order(run, stripe_http, order, vinyl):
    reference, session_id = order
    stripe_http.queue(remote(reference, session_id, "expired", "unpaid"))

    assert "expired=1" in run()

    assert order_by_reference(reference).status == "expired"
    assert stock(vinyl) == 5
    assert len(mails("order_expired")) == 1


@pytest.mark.parametrize(
    ("status", "payment_status"),
    [("open", "unpaid"), ("complete", "unpaid")],
    ids=["open", "awaiting_async_payment"],
)
def test_a_session_still_open_changes_nothing(
    run, stripe_http, order, vinyl, status, payment_status
):
    reference, session_id = order
    before = snapshot(reference)
    stripe_http.queue(remote(reference, session_id, status, payment_status))

    assert "unchanged=1" in run()

    assert snapshot(reference) == before
    assert order_by_reference(reference).status == "pending"


def test_test_payment_orders_are_not_looked_up(
    app, run, client, stripe_http, make_product, monkeypatch
):
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", True)
    add_to_cart(client, make_product(stock=2))
    reference = reference_of(checkout(client))

    assert "unchanged=1" in run()

    assert stripe_http.requests == []
    assert order_by_reference(reference).status == "pending"


def test_old_orders_are_outside_the_lookback(run, stripe_http, order):
    reference, _ = order
    db.session.execute(
        update(Order)
        .where(Order.reference == reference)
        .values(created_at=utcnow() - timedelta(days=3))
    )
    db.session.commit()
    before = snapshot(reference)

    run()

    assert stripe_http.requests == []
    assert snapshot(reference) == before


def test_one_order_stripe_cannot_answer_about_does_not_stop_the_others(
    app, run, client, stripe_http, vinyl
):
    first, _ = stripe_checkout(client, stripe_http, vinyl)
    second, second_session = stripe_checkout(app.test_client(), stripe_http, vinyl)
    stripe_http.requests.clear()
    # Whichever order is asked about first is unknown to Stripe; the other one was paid.
    stripe_http.queue(stripe_error("No such checkout.session"), status=404)
    stripe_http.queue(remote(second, second_session, "complete", "paid"))

    output = run()

    assert "failed=1" in output and "paid=1" in output
    statuses = {order_by_reference(first).status, order_by_reference(second).status}
    assert statuses == {"pending", "paid"}


def test_late_payment_found_by_reconcile_for_sold_out_stock_is_refunded(
    run, stripe_http, order, vinyl
):
    reference, session_id = order
    expire_locally(reference)
    sell_out(vinyl)
    total = order_by_reference(reference).total_cents
    stripe_http.queue(remote(reference, session_id, "complete", "paid"))
    stripe_http.queue(refund_object(payment_intent=PI, amount=total))

    assert "refunded=1" in run()

    lookup, refund = stripe_http.requests
    assert (lookup.method, lookup.path) == ("get", f"/v1/checkout/sessions/{session_id}")
    assert (refund.method, refund.path) == ("post", "/v1/refunds")
    assert (refund.form["payment_intent"], int(refund.form["amount"])) == (PI, total)
    assert refund.idempotency_key
    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    assert len(mails("order_refunded")) == 1


def test_an_interrupted_late_refund_is_finished_once_with_the_same_key(
    run, stripe_http, send_webhook, order, vinyl
):
    reference, session_id = order
    expire_locally(reference)
    sell_out(vinyl)
    total = order_by_reference(reference).total_cents
    # The fan pays after the copy sold; Stripe is down when the shop asks for the refund.
    stripe_http.queue(STRIPE_DOWN, status=500)
    send_webhook(completed(reference, session_id=session_id, payment_intent=PI))
    owed = order_by_reference(reference)
    assert (owed.status, owed.refunded_cents) == ("expired", 0) and owed.paid_at is not None

    stripe_http.queue(STRIPE_DOWN, status=500)
    assert "failed=1" in run()
    assert order_by_reference(reference).status == "expired"

    stripe_http.queue(refund_object(payment_intent=PI, amount=total, id="re_finally"))
    assert "refunded=1" in run()

    attempts = stripe_http.requests
    assert [(r.method, r.path) for r in attempts] == [("post", "/v1/refunds")] * 3
    assert len({r.idempotency_key for r in attempts}) == 1, "one refund, asked for three times"
    assert {int(r.form["amount"]) for r in attempts} == {total}
    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    assert [(r.amount_cents, r.provider_refund_id) for r in refunds(reference)] == [
        (total, "re_finally")
    ]
    assert len(mails("order_refunded")) == 1

    assert "refunded=0" in run()
    assert len(stripe_http.requests) == 3, "nothing left to refund"


def test_a_crash_after_stripe_refunded_is_finished_with_the_same_key(
    run, stripe_http, order, vinyl, monkeypatch
):
    """Stripe refunded, then the shop died before recording it (simulated: the order is
    expired with `paid_at` set, and recording the refund crashes once). The next run
    sends the same Idempotency-Key, so Stripe answers with the refund it already made."""
    reference, _ = order
    expire_locally(reference)
    sell_out(vinyl)
    db.session.execute(
        update(Order)
        .where(Order.reference == reference)
        .values(paid_at=utcnow(), provider_payment_id=PI)
    )
    db.session.commit()
    total = order_by_reference(reference).total_cents
    stripe_http.queue(refund_object(payment_intent=PI, amount=total, id="re_same"))
    stripe_http.queue(refund_object(payment_intent=PI, amount=total, id="re_same"))

    def crash(*args, **kwargs):
        raise RuntimeError("the worker was killed")

    record_refund = services.record_refund
    monkeypatch.setattr(services, "record_refund", crash)
    with pytest.raises(RuntimeError):
        services.reconcile(db.session, now=utcnow())
    db.session.rollback()
    monkeypatch.setattr(services, "record_refund", record_refund)  # the worker restarts

    assert "refunded=1" in run()

    first, second = stripe_http.requests
    assert first.idempotency_key == second.idempotency_key
    assert [r.provider_refund_id for r in refunds(reference)] == ["re_same"]
    order = order_by_reference(reference)
    assert (order.status, order.refunded_cents) == ("refunded", total)
    assert len(mails("order_refunded")) == 1
    assert "refunded=0" in run()
    assert len(stripe_http.requests) == 2
