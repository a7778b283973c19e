"""Stripe Checkout through the official SDK (`StripeClient`)."""

from __future__ import annotations

from datetime import timedelta

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l

from storefront.clock import utcnow
from storefront.errors import PaymentError
from storefront.orders.models import Order, OrderLine
from storefront.payments.provider import (
    PaymentProvider,
    RemoteCheckout,
    RemoteState,
    ReturnUrls,
)

# Stripe refuses a Checkout Session that expires in less than 30 minutes.
STRIPE_MIN_LIFETIME = timedelta(minutes=31)


def stripe_client() -> stripe.StripeClient:
    """A client for the configured account; tests inject a fake HTTP layer."""
    config = current_app.config
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"] or "sk_test_unset",
        http_client=config.get("STRIPE_HTTP_CLIENT"),
        max_network_retries=0 if config.get("STRIPE_HTTP_CLIENT") else 2,
    )


class StripeProvider(PaymentProvider):
    name = "stripe"

    def start_payment(self, order: Order, *, urls: ReturnUrls) -> str:
        expires_at = max(order.reserved_until, utcnow() + STRIPE_MIN_LIFETIME)
        params = {
            "mode": "payment",
            "line_items": _line_items(order),
            "client_reference_id": order.reference,
            "metadata": {"order_reference": order.reference},
            "payment_intent_data": {"metadata": {"order_reference": order.reference}},
            "success_url": urls.success,
            "cancel_url": urls.cancel,
            "expires_at": int(expires_at.timestamp()),
            "locale": order.locale,
        }
        if order.email:  # a fan paying a stand sale on their phone may have given none
            params["customer_email"] = order.email
        try:
            session = stripe_client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{order.reference}"}
            )
        except stripe.StripeError as error:
            raise PaymentError(
                _l("The payment service did not answer; please try again.")
            ) from error
        order.provider_session_id = session.id
        return session.url

    def refund(
        self,
        order: Order,
        *,
        amount_cents: int,
        idempotency_key: str,
        payment_id: str | None = None,
    ) -> str:
        payment_intent = payment_id or order.provider_payment_id
        if not payment_intent:
            raise PaymentError(
                _l(
                    "Order %(reference)s has no Stripe payment to refund.",
                    reference=order.reference,
                )
            )
        try:
            refund = stripe_client().v1.refunds.create(
                params={
                    "payment_intent": payment_intent,
                    "amount": amount_cents,
                    "metadata": {"order_reference": order.reference},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise PaymentError(
                _l("Stripe refused the refund: %(reason)s", reason=error.user_message or error)
            ) from error
        return refund.id

    def abandon(self, order: Order) -> bool:
        # An open session could still be paid after the fan came back: expire it.
        if not order.provider_session_id:
            return True
        try:
            stripe_client().v1.checkout.sessions.expire(order.provider_session_id)
        except stripe.StripeError:
            # Already complete or expired (or Stripe unreachable): ask what became of it.
            try:
                remote = self.lookup(order)
            except PaymentError:
                return True
            return remote is None or remote.state is not RemoteState.PAID
        return True

    def lookup(self, order: Order) -> RemoteCheckout | None:
        if not order.provider_session_id:
            return None
        try:
            session = stripe_client().v1.checkout.sessions.retrieve(order.provider_session_id)
        except stripe.StripeError as error:
            raise PaymentError(
                _l(
                    "Stripe did not say what became of order %(reference)s: %(reason)s",
                    reference=order.reference,
                    reason=error,
                )
            ) from error
        if session.payment_status in ("paid", "no_payment_required"):
            return RemoteCheckout(
                RemoteState.PAID,
                session.payment_intent,
                amount_cents=getattr(session, "amount_total", None),
                currency=getattr(session, "currency", None),
            )
        if session.status == "expired":
            return RemoteCheckout(RemoteState.EXPIRED)
        return RemoteCheckout(RemoteState.OPEN)


def _line_items(order: Order) -> list[dict]:
    items = [_line_item(order, line) for line in order.lines]
    if order.shipping_cents:
        items.append(_item(order, "Shipping / Livraison", order.shipping_cents, 1))
    return items


def _line_item(order: Order, line: OrderLine) -> dict:
    # Stripe Checkout has no negative lines: a discounted line is sent at its net price,
    # per unit when the discount shares out evenly, else as one item, so Stripe charges
    # exactly the order's total.
    if line.total_cents % line.quantity == 0:
        return _item(order, line.description, line.total_cents // line.quantity, line.quantity)
    return _item(order, f"{line.description} x {line.quantity}", line.total_cents, 1)


def _item(order: Order, name: str, unit_cents: int, quantity: int) -> dict:
    return {
        "price_data": {
            "currency": order.currency.lower(),
            "unit_amount": unit_cents,
            "product_data": {"name": name},
        },
        "quantity": quantity,
    }
