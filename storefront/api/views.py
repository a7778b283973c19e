"""JSON endpoints: health check and the Stripe webhook."""

from __future__ import annotations

import logging

import stripe
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from storefront.clock import utcnow
from storefront.extensions import csrf, db
from storefront.payments.webhooks import apply_event

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Verify Stripe's signature, then apply the event once."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    signature = request.headers.get("Stripe-Signature", "")
    if not secret:
        return jsonify(error="not_configured", message="No webhook secret is configured."), 400
    try:
        event = stripe.Webhook.construct_event(request.get_data(), signature, secret)
    except stripe.SignatureVerificationError:
        return jsonify(error="invalid_signature", message="Signature missing, wrong or stale."), 400
    except (ValueError, AttributeError, TypeError):
        # Not JSON, or signed JSON that is not an object (the SDK then fails on `.get`).
        return jsonify(error="invalid_payload", message="The body is not a Stripe event."), 400
    payload = event.to_dict()
    if not _is_event(payload):
        return jsonify(error="invalid_payload", message="The body is not a Stripe event."), 400
    outcome = apply_event(db.session, payload, now=utcnow())
    log.info("stripe event %s (%s): %s", payload["id"], payload["type"], outcome)
    return jsonify(received=True, outcome=outcome)


def _is_event(payload: dict) -> bool:
    """Signed JSON is not always an event (an envelope, a test ping): check its shape."""
    data = payload.get("data")
    return (
        isinstance(payload.get("id"), str)
        and isinstance(payload.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )


from storefront.api import campaign_views, edition_views  # noqa: E402, F401 - routes on this bp
