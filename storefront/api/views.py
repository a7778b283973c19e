"""JSON endpoints: health check and the Stripe webhook."""

from __future__ import annotations

import logging

import stripe
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from werkzeug.exceptions import RequestEntityTooLarge

from storefront.clock import utcnow
from storefront.extensions import csrf, db
from storefront.payments.events import InvalidEvent, parse_event
from storefront.payments.webhooks import apply_event, route_event

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
    """Verify Stripe's signature and the event's shape, then apply the event once."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        return _refused("not_configured", "No webhook secret is configured.")
    limit = current_app.config["STRIPE_WEBHOOK_MAX_BYTES"]
    try:
        body = _bounded_body(limit).decode("utf-8")
    except RequestEntityTooLarge:
        return _refused("too_large", f"A Stripe event is at most {limit} bytes.", status=413)
    except UnicodeDecodeError:
        return _refused("invalid_payload", "The body is not UTF-8 text.")
    if not _signed(body, secret):
        return _refused("invalid_signature", "Signature missing, wrong or stale.")
    routes = current_app.extensions.get("stripe_event_routes", ())
    try:
        event = parse_event(body)
        # Memberships' events (subscription checkout sessions too) are not orders'.
        outcome = route_event(db.session, routes, body, now=utcnow())
    except InvalidEvent as error:
        return _refused("invalid_payload", f"The body is not a Stripe event: {error}")
    if outcome is None:
        outcome = apply_event(db.session, event, now=utcnow())
    log.info("stripe event %s (%s): %s", event.id, event.type, outcome)
    return jsonify(received=True, outcome=outcome)


def _signed(body: str, secret: str) -> bool:
    """Stripe signed this very body, recently."""
    try:
        # Without a tolerance the SDK would accept a signature of any age (a replay).
        stripe.WebhookSignature.verify_header(
            body,
            request.headers.get("Stripe-Signature", ""),
            secret,
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, TypeError):  # TypeError: a non-ASCII header
        return False
    return True


def _bounded_body(limit: int) -> bytes:
    """The request body, never holding more than `limit` bytes of it.

    Read by hand because `request.max_content_length` is set too late here: the app's
    before_request hook reads `request.form`, which builds (and caches) the stream under
    the app-wide limit. A longer Content-Length is refused unread; a chunked body is cut
    off as soon as it passes the limit.
    """
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    chunks, size = [], 0
    while chunk := request.stream.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(error: str, message: str, *, status: int = 400):
    return jsonify(error=error, message=message), status


from storefront.api import campaign_views, edition_views, gig_views  # noqa: E402, F401 - routes on this bp
