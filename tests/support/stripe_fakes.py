"""Stripe offline: the real SDK with a fake HTTP layer; webhooks signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_secret"


@dataclass
class RecordedRequest:
    method: str
    path: str
    idempotency_key: str | None
    form: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeStripeHTTP(stripe.HTTPClient):
    """Answers the SDK's requests from a queue of Stripe-shaped JSON bodies, and records them."""

    name = "fake"
    responses: list[tuple[int, dict]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def queue(self, body: dict, status: int = 200) -> None:
        self.responses.append((status, body))

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = url.split("api.stripe.com", 1)[-1]
        form = dict(parse_qsl(post_data or "", keep_blank_values=True))
        base, _, query = path.partition("?")
        key = (headers or {}).get("Idempotency-Key")
        self.requests.append(RecordedRequest(method, base, key, form, dict(parse_qsl(query))))
        if not self.responses:
            raise AssertionError(f"unexpected Stripe call: {method} {path}")
        status, body = self.responses.pop(0)
        return json.dumps(body), status, {"request-id": "req_fake"}

    def close(self) -> None:
        pass


def checkout_session(
    reference: str,
    *,
    id: str = "cs_test_1",
    status: str = "open",
    payment_status: str = "unpaid",
    payment_intent: str | None = None,
    amount_total: int = 0,
) -> dict:
    """A Checkout Session object as the API returns it (the fields we read)."""
    return {
        "id": id,
        "object": "checkout.session",
        "status": status,
        "payment_status": payment_status,
        "payment_intent": payment_intent,
        "client_reference_id": reference,
        "metadata": {"order_reference": reference},
        "amount_total": amount_total,
        "currency": "eur",
        "mode": "payment",
        "url": f"https://checkout.stripe.com/c/pay/{id}",
    }


def stripe_error(message: str, code: str = "resource_missing") -> dict:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}


def event(event_type: str, obj: dict, *, id: str) -> dict:
    return {
        "id": id,
        "object": "event",
        "type": event_type,
        "api_version": "2025-10-29",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
    }


def signed_headers(
    payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> dict:
    """The documented scheme: v1 = HMAC-SHA256(secret, "{timestamp}.{payload}"), hex."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.{payload}".encode()
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={signature}", "Content-Type": "application/json"}


@pytest.fixture
def stripe_http(app, monkeypatch):
    """Switch the shop to Stripe and answer its API calls from a fake HTTP client."""
    fake = FakeStripeHTTP()
    monkeypatch.setitem(app.config, "TEST_PAYMENTS", False)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_fake")
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", fake)
    return fake


@pytest.fixture
def send_webhook(client):
    """POST an event to /stripe/webhook, signed with the test secret."""

    def send(payload: dict | str, **signing):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return client.post("/stripe/webhook", data=body, headers=signed_headers(body, **signing))

    return send
