"""POST /stripe/webhook under hostile or broken input: a payment settles an order only
for its amount, currency and provider; anything malformed is a 400 that changes nothing;
bodies are bounded."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.payments import webhooks
from storefront.payments.events import HANDLED
from storefront.payments.models import PaymentProblem
from tests.conftest import order_by_reference
from tests.support.payments import (
    charge_refunded,
    completed,
    mails,
    refund_list,
    refund_object,
    snapshot,
    stored_events,
    stripe_checkout,
)
from tests.support.shop import add_to_cart, checkout, pay_test, reference_of
from tests.support.staff import signed_in
from tests.support.stripe_fakes import (
    WEBHOOK_SECRET,
    FakeStripeHTTP,
    checkout_session,
    event,
    signed_headers,
)

PI = "pi_test_hardening"
STRIPE_DOWN = {"error": {"type": "api_error", "message": "Try again later."}}


@pytest.fixture
def album(make_product):
    """A 13.90 € download: no shipping, so the order costs exactly 13.90 €."""
    return make_product(kind="digital", price_cents=1390)


@pytest.fixture
def order(client, stripe_http, album):
    """A pending Stripe order for the album: (reference, Checkout Session id)."""
    reference, session_id = stripe_checkout(client, stripe_http, album)
    stripe_http.requests.clear()
    return reference, session_id


@pytest.fixture
def test_order(app, client, album, monkeypatch):
    """A pending order of the `test` provider (test payments switched on at checkout)."""
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", True)
    add_to_cart(client, album)
    reference = reference_of(checkout(client))
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", False)
    return reference


def problems() -> list[PaymentProblem]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaymentProblem).order_by(PaymentProblem.id)))


def admin_page(app, url: str) -> str:
    return signed_in(app.test_client(), "admin").get(url).get_data(as_text=True)


# --- amount, currency, provider -----------------------------------------------------------


def test_a_one_cent_payment_leaves_the_order_unpaid_is_refunded_and_shown_to_the_label(
    app, stripe_http, send_webhook, order
):
    reference, session_id = order
    stripe_http.queue(refund_object(payment_intent=PI, amount=1, id="re_one_cent"))
    payment = completed(reference, session_id=session_id, payment_intent=PI, amount_total=1)

    response = send_webhook(payment)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "refused_amount_mismatch"
    placed = order_by_reference(reference)
    assert (placed.status, placed.paid_at, placed.provider_payment_id) == ("pending", None, None)
    assert mails("order_confirmation") == []
    [problem] = problems()
    assert (problem.order_id, problem.event_id, problem.kind) == (
        placed.id,
        payment["id"],
        "amount_mismatch",
    )
    assert (problem.amount_cents, problem.currency, problem.payment_id) == (1, "EUR", PI)
    assert problem.refund_id == "re_one_cent"
    [refund] = stripe_http.requests
    assert (refund.method, refund.path) == ("post", "/v1/refunds")
    assert (refund.form["payment_intent"], refund.form["amount"]) == (PI, "1")
    assert refund.idempotency_key == f"problem-{PI}"
    page = admin_page(app, f"/admin/orders/{reference}")
    assert "Payment refused: amount €0.01 instead of €13.90; refunded re_one_cent" in page
    fan_page = app.test_client().get(f"/orders/{reference}").get_data(as_text=True)
    assert "did not match this order" in fan_page and "sent back" in fan_page


def test_a_payment_in_another_currency_is_refused_and_refunded(stripe_http, send_webhook, order):
    reference, session_id = order
    stripe_http.queue(refund_object(payment_intent=PI, amount=1390, id="re_usd"))
    payment = completed(reference, session_id=session_id, payment_intent=PI)
    payment["data"]["object"]["currency"] = "usd"

    assert send_webhook(payment).get_json()["outcome"] == "refused_currency_mismatch"

    assert order_by_reference(reference).status == "pending"
    [problem] = problems()
    assert (problem.kind, problem.amount_cents, problem.currency) == (
        "currency_mismatch",
        1390,
        "USD",
    )
    [refund] = stripe_http.requests
    assert refund.form["amount"] == "1390" and refund.idempotency_key == f"problem-{PI}"


@pytest.mark.parametrize("currency", ["eur", "EUR", "Eur"])
def test_the_matching_amount_in_the_order_currency_pays_whatever_the_case(
    stripe_http, send_webhook, order, currency
):
    reference, session_id = order
    payment = completed(reference, session_id=session_id, payment_intent=PI, amount_total=1390)
    payment["data"]["object"]["currency"] = currency

    assert send_webhook(payment).get_json()["outcome"] == "paid"

    assert order_by_reference(reference).status == "paid"
    assert problems() == [] and stripe_http.requests == []


def test_a_replayed_mismatch_changes_nothing_the_second_time(stripe_http, send_webhook, order):
    reference, session_id = order
    stripe_http.queue(refund_object(payment_intent=PI, amount=1))
    payment = completed(reference, session_id=session_id, payment_intent=PI, amount_total=1)
    send_webhook(payment)
    before = (snapshot(reference), [(p.id, p.refund_id) for p in problems()])

    assert send_webhook(payment).get_json()["outcome"] == "duplicate"
    # The same payment again under a new event id: still refused once, refunded once.
    again = completed(reference, session_id=session_id, payment_intent=PI, amount_total=1)
    assert send_webhook(again).get_json()["outcome"] == "unchanged"

    assert (snapshot(reference), [(p.id, p.refund_id) for p in problems()]) == before
    assert len(stripe_http.requests) == 1


def test_a_refund_stripe_refuses_is_kept_owed_and_retried_by_reconcile_with_the_same_key(
    app, stripe_http, send_webhook, order
):
    reference, session_id = order
    stripe_http.queue(STRIPE_DOWN, status=500)
    send_webhook(completed(reference, session_id=session_id, payment_intent=PI, amount_total=1))
    [problem] = problems()
    assert problem.refund_id is None
    page = admin_page(app, f"/admin/orders/{reference}")
    assert "refund failed so far, retried by “payments reconcile”" in page

    # Reconcile first asks about the pending order (the session is the 1-cent one).
    stripe_http.queue(
        checkout_session(
            reference,
            id=session_id,
            status="complete",
            payment_status="paid",
            payment_intent=PI,
            amount_total=1,
        )
    )
    stripe_http.queue(refund_object(payment_intent=PI, amount=1, id="re_later"))
    output = app.test_cli_runner().invoke(args=["payments", "reconcile"]).output

    assert "refunded=1" in output and "paid=0" in output
    assert [p.refund_id for p in problems()] == ["re_later"]
    refunds = [r for r in stripe_http.requests if r.path == "/v1/refunds"]
    assert [(r.idempotency_key, r.form["amount"]) for r in refunds] == [(f"problem-{PI}", "1")] * 2
    assert order_by_reference(reference).status == "pending"


def test_reconcile_refuses_a_mismatched_payment_the_webhook_never_brought(app, stripe_http, order):
    reference, session_id = order
    stripe_http.queue(
        checkout_session(
            reference,
            id=session_id,
            status="complete",
            payment_status="paid",
            payment_intent=PI,
            amount_total=1,
        )
    )
    stripe_http.queue(refund_object(payment_intent=PI, amount=1, id="re_found"))

    output = app.test_cli_runner().invoke(args=["payments", "reconcile"]).output

    assert "refused=1" in output
    assert order_by_reference(reference).paid_at is None
    assert [(p.kind, p.event_id, p.refund_id) for p in problems()] == [
        ("amount_mismatch", None, "re_found")
    ]


def test_a_session_without_payment_for_less_than_the_order_refunds_nothing(
    app, stripe_http, send_webhook, order
):
    reference, session_id = order
    free = completed(
        reference,
        session_id=session_id,
        payment_intent=None,
        payment_status="no_payment_required",
        amount_total=0,
    )

    assert send_webhook(free).get_json()["outcome"] == "refused_amount_mismatch"

    assert order_by_reference(reference).status == "pending"
    assert [(p.payment_id, p.refund_id) for p in problems()] == [(None, None)]
    assert stripe_http.requests == []
    assert "no money was taken" in admin_page(app, f"/admin/orders/{reference}")


def test_a_stripe_payment_naming_a_test_payment_order_changes_nothing(
    app, stripe_http, send_webhook, test_order
):
    before = snapshot(test_order)
    payment = completed(test_order, session_id="cs_elsewhere", payment_intent=PI)

    response = send_webhook(payment)

    assert response.get_json()["outcome"] == "refused_wrong_provider"
    assert snapshot(test_order) == before
    assert order_by_reference(test_order).status == "pending"
    assert stripe_http.requests == [], "no refund is asked for the test order"
    [problem] = problems()
    assert (problem.kind, problem.payment_id, problem.refund_id) == ("wrong_provider", PI, None)
    page = admin_page(app, f"/admin/orders/{test_order}")
    assert "this order is paid through “test”, not Stripe" in page


def test_charge_refunded_for_a_test_payment_order_records_no_refund(
    app, client, send_webhook, album, monkeypatch
):
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", True)
    add_to_cart(client, album)
    reference = reference_of(checkout(client))
    pay_test(client, reference)
    paid = order_by_reference(reference)
    assert paid.status == "paid"
    before = snapshot(reference)

    refund = charge_refunded(
        payment_intent=paid.provider_payment_id, amount=1390, amount_refunded=1390
    )
    assert send_webhook(refund).get_json()["outcome"] == "refused_wrong_provider"

    assert snapshot(reference) == before


def test_the_orders_list_flags_orders_with_a_refused_payment(app, stripe_http, send_webhook, album):
    flagged, session_id = stripe_checkout(app.test_client(), stripe_http, album)
    clean, _ = stripe_checkout(app.test_client(), stripe_http, album)
    stripe_http.queue(refund_object(payment_intent=PI, amount=1))
    send_webhook(completed(flagged, session_id=session_id, payment_intent=PI, amount_total=1))

    page = admin_page(app, "/admin/orders")

    rows = {ref: row for row in page.split("<tr>") for ref in (flagged, clean) if ref in row}
    assert "Payment refused" in rows[flagged]
    assert "Payment refused" not in rows[clean]


def test_every_handled_type_has_a_handler():
    assert set(webhooks._HANDLERS) == set(HANDLED)


# --- garbage: 400, nothing recorded -------------------------------------------------------


def _set(path: str, value):
    """An edit of a valid completed-and-paid event: `value` at the dotted `path`."""

    def edit(payload: dict) -> dict:
        *parents, last = path.split(".")
        target = payload
        for name in parents:
            target = target[name]
        if value is _DROP:
            target.pop(last)
        else:
            target[last] = value
        return payload

    return edit


_DROP = object()
GARBAGE = {
    "reference_list": _set("data.object.client_reference_id", ["a", "b"]),
    "reference_dict": _set("data.object.client_reference_id", {"a": 1}),
    "reference_nul": _set("data.object.client_reference_id", "abc\x00def"),
    "reference_surrogate": _set("data.object.client_reference_id", "\ud800"),
    "reference_huge": _set("data.object.client_reference_id", "r" * 100_000),
    "metadata_string": _set("data.object.metadata", "order_reference=x"),
    "metadata_list": _set("data.object.metadata", ["order_reference"]),
    "metadata_reference_int": _set("data.object.metadata", {"order_reference": 7}),
    "amount_text": _set("data.object.amount_total", "1390"),
    "amount_float": _set("data.object.amount_total", 1390.0),
    "amount_bool": _set("data.object.amount_total", True),
    "amount_huge": _set("data.object.amount_total", 10**30),
    "amount_negative": _set("data.object.amount_total", -1390),
    "amount_missing": _set("data.object.amount_total", _DROP),
    "currency_long": _set("data.object.currency", "euros"),
    "currency_int": _set("data.object.currency", 978),
    "payment_intent_dict": _set("data.object.payment_intent", {"id": PI}),
    "payment_status_list": _set("data.object.payment_status", ["paid"]),
    "no_id": _set("id", _DROP),
    "id_int": _set("id", 12),
    "id_empty": _set("id", ""),
    "no_type": _set("type", _DROP),
    "type_list": _set("type", ["checkout.session.completed"]),
    "data_list": _set("data", [1, 2]),
    "data_string": _set("data", "object"),
    "object_missing": _set("data", {}),
    "object_list": _set("data.object", []),
}


def sign_bytes(body: bytes) -> dict:
    """Stripe's scheme over raw bytes (the test helper signs text)."""
    timestamp = int(time.time())
    signature = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={signature}", "Content-Type": "application/json"}


def assert_refused_unchanged(response, reference: str, before: dict) -> None:
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_payload"
    assert response.get_json()["message"]
    assert stored_events() == 0
    assert db.session.scalar(select(func.count()).select_from(PaymentProblem)) == 0
    assert snapshot(reference) == before


@pytest.mark.parametrize("edit", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_signed_event_of_the_wrong_shape_is_refused_and_changes_nothing(
    send_webhook, order, edit
):
    reference, session_id = order
    before = snapshot(reference)
    payload = edit(completed(reference, session_id=session_id, payment_intent=PI))

    assert_refused_unchanged(send_webhook(json.dumps(payload)), reference, before)


def test_charge_refunded_with_a_text_amount_is_refused(send_webhook, order):
    reference, session_id = order
    send_webhook(completed(reference, session_id=session_id, payment_intent=PI))
    before, events = snapshot(reference), stored_events()
    for amount in ("1390", 13.9, False, 10**30, None):
        refund = charge_refunded(payment_intent=PI, amount=1390, amount_refunded=0)
        refund["data"]["object"]["amount_refunded"] = amount
        assert send_webhook(refund).status_code == 400
    refund = charge_refunded(payment_intent=PI, amount=1390, amount_refunded=1390)
    del refund["data"]["object"]["id"]
    assert send_webhook(refund).status_code == 400
    assert (snapshot(reference), stored_events()) == (before, events)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"id": "evt_deep", "type": "charge.refunded", "data": ' + "[" * 100_000,
        '{"id": "evt_deep", "type": "x", "data": {"object": ' + '{"a": ' * 30_000 + "}",
        "not json {",
        "1" * 5000,  # an integer Python refuses to parse (more than 4300 digits)
        "NaN",
        "",
    ],
    ids=["nested_lists", "nested_in_event", "nested_dicts", "not_json", "long_int", "nan", "empty"],
)
def test_signed_bodies_that_are_not_events_are_refused(client, order, body):
    reference, _ = order
    before = snapshot(reference)
    response = client.post("/stripe/webhook", data=body, headers=signed_headers(body))
    assert_refused_unchanged(response, reference, before)


def test_a_signed_body_that_is_not_utf8_is_refused(client, order):
    reference, _ = order
    before = snapshot(reference)
    body = b'{"id": "evt_\xff\xfe", "type": "charge.refunded"}'
    response = client.post("/stripe/webhook", data=body, headers=sign_bytes(body))
    assert_refused_unchanged(response, reference, before)


def test_a_non_ascii_signature_header_is_an_invalid_signature(client, order):
    response = client.post("/stripe/webhook", data="{}", headers={"Stripe-Signature": "t=1,v1=é"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_signature"


def test_an_unknown_event_type_is_ignored_whatever_its_object_holds(send_webhook, order):
    reference, _ = order
    before = snapshot(reference)
    odd = event("customer.created", {"metadata": "free text", "amount_total": "x"}, id="evt_c1")

    response = send_webhook(odd)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert snapshot(reference) == before


# --- bounded bodies -----------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A request body that counts what the app reads of it."""

    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.read_bytes += count
        return count


TEN_MIB = 10 * 1024 * 1024


@pytest.fixture
def large_app_limit(app, monkeypatch):
    """The app-wide limit as high as admin uploads need: the webhook's own limit holds."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024 * 1024)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_MAX_BYTES", 256 * 1024)


def test_a_10_mib_body_is_refused_with_413_unread(client, large_app_limit):
    body = CountingStream(b"x" * TEN_MIB)

    response = client.post(
        "/stripe/webhook",
        input_stream=body,
        headers={"Content-Type": "application/json", "Content-Length": str(TEN_MIB)},
    )

    assert response.status_code == 413
    assert body.read_bytes == 0
    assert stored_events() == 0


def test_a_chunked_body_is_cut_off_at_the_limit(client, large_app_limit):
    body = CountingStream(b"x" * TEN_MIB)

    # No Content-Length; the server (gunicorn, werkzeug) says it ends the stream itself.
    response = client.post(
        "/stripe/webhook",
        input_stream=body,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 413
    assert body.read_bytes <= 256 * 1024 + 64 * 1024
    assert stored_events() == 0


def test_the_limit_comes_from_the_configuration(app, send_webhook, order, monkeypatch):
    reference, session_id = order
    payment = completed(reference, session_id=session_id, payment_intent=PI)
    payment["padding"] = "x" * 2000  # a valid, signed event, only too long
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_MAX_BYTES", 1000)

    assert send_webhook(payment).status_code == 413
    assert order_by_reference(reference).status == "pending"

    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_MAX_BYTES", 4000)
    assert send_webhook(payment).get_json()["outcome"] == "paid"


# --- property: never a 5xx ----------------------------------------------------------------


class StripeRefundsEverything(FakeStripeHTTP):
    """Answers every API call with a refund (a list of one when asked for a list):
    examples may refuse payments and leave refunds out of their events at will."""

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        refund = refund_object(payment_intent=PI, amount=1, id="re_any")
        self.queue(refund_list([refund]) if method == "get" else refund)
        return super().request(method, url, headers, post_data, _usage=_usage)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
EVENT_FIELDS = [
    "id",
    "type",
    "data",
    "data.object",
    "data.object.id",
    "data.object.client_reference_id",
    "data.object.metadata",
    "data.object.metadata.order_reference",
    "data.object.payment_intent",
    "data.object.payment_status",
    "data.object.amount_total",
    "data.object.currency",
    "data.object.amount_refunded",
    "data.object.refunds",
    "data.object.refunds.data",
    "data.object.refunds.has_more",
]


@st.composite
def webhook_bodies(draw, reference: str) -> object:
    """Arbitrary JSON (one time in four), else a realistic event for the order, as often
    valid as not, with arbitrary JSON at up to two of the fields the shop reads."""
    if draw(st.integers(0, 3)) == 0:
        return draw(json_values)
    skeleton = event(
        draw(st.sampled_from([*HANDLED, "customer.created"])),
        {
            **checkout_session(
                reference,
                status="complete",
                payment_status=draw(st.sampled_from(["paid", "unpaid", "no_payment_required"])),
                payment_intent=PI,
                amount_total=draw(st.sampled_from([0, 1, 1390])),
            ),
            "amount_refunded": draw(st.sampled_from([0, 1, 1390])),
            "refunds": refund_list(
                [refund_object(payment_intent=PI, amount=draw(st.sampled_from([1, 1390])))]
            ),
        },
        id=f"evt_{draw(st.uuids()).hex}",
    )
    for path in draw(st.lists(st.sampled_from(EVENT_FIELDS), max_size=2)):
        # An earlier edit may have replaced a parent: then this path no longer exists.
        with contextlib.suppress(KeyError, TypeError, IndexError):
            _set(path, draw(json_values))(skeleton)
    return skeleton


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_signed_json_shape_makes_the_webhook_fail(app, client, order, monkeypatch, data):
    reference, _ = order
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", StripeRefundsEverything())
    body = json.dumps(data.draw(webhook_bodies(reference)))

    response = client.post("/stripe/webhook", data=body, headers=signed_headers(body))

    assert response.status_code < 500, response.get_data(as_text=True)
