"""Billing providers behind one interface: Stripe Billing (Checkout in subscription mode,
the customer portal) and the TEST provider, whose page simulates what Stripe would send.

Providers never change memberships: Stripe's events (the webhook, `members reconcile`)
and the test page's simulated events go through `services.record_billing_event`.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from datetime import datetime, timedelta

import stripe
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from storefront.errors import PaymentError
from storefront.members.lifecycle import SUBSCRIPTION_DELETED, SUBSCRIPTION_UPDATED, Fact
from storefront.members.models import Interval, Membership
from storefront.members.stripe_events import membership_reference, subscription_fact
from storefront.payments.provider import ReturnUrls, checkout_provider_name
from storefront.payments.stripe import STRIPE_MIN_LIFETIME, stripe_client


class BillingProvider(ABC):
    name: str

    @abstractmethod
    def start(self, membership: Membership, *, urls: ReturnUrls, email: str, now: datetime) -> str:
        """Open the sign-up for `membership` and return the URL to send the fan to; sets
        `membership.checkout_id` (the caller commits)."""

    @abstractmethod
    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        """Where the fan manages or cancels the subscription."""

    def lookup(self, membership: Membership, *, now: datetime) -> Fact | None:
        """The subscription as the provider sees it at `now` (reconciliation)."""
        return None


def checkout_lifetime() -> timedelta:
    """How long an unpaid sign-up holds its seat."""
    return timedelta(minutes=current_app.config["MEMBERSHIP_CHECKOUT_MINUTES"])


class StripeBilling(BillingProvider):
    name = "stripe"

    def start(self, membership: Membership, *, urls: ReturnUrls, email: str, now: datetime) -> str:
        price = _stripe_price(membership)
        expires_at = now + max(checkout_lifetime(), STRIPE_MIN_LIFETIME)
        metadata = {"membership_id": str(membership.id)}
        params = {
            "mode": "subscription",
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": membership_reference(membership.id),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "customer_email": email,
            "success_url": urls.success,
            "cancel_url": urls.cancel,
            "expires_at": int(expires_at.timestamp()),
        }
        key = f"membership-checkout-{membership.id}"
        try:
            session = stripe_client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": key}
            )
        except stripe.StripeError as error:
            raise PaymentError(
                _l("The payment service did not answer; please try again.")
            ) from error
        membership.checkout_id = session.id
        return session.url

    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        if not membership.customer_id:
            raise PaymentError(_l("Your subscription is not ready yet: try again in a minute."))
        params = {"customer": membership.customer_id, "return_url": return_url}
        try:
            portal = stripe_client().v1.billing_portal.sessions.create(params=params)
        except stripe.StripeError as error:
            raise PaymentError(
                _l("The payment service did not answer; please try again.")
            ) from error
        return portal.url

    def lookup_checkout(self, membership: Membership) -> dict | None:
        """The Stripe Checkout session a sign-up was sent to, as Stripe has it now."""
        if not membership.checkout_id:
            return None
        try:
            found = stripe_client().v1.checkout.sessions.retrieve(membership.checkout_id)
        except stripe.StripeError as error:
            raise PaymentError(
                _l("Stripe did not answer about checkout %(id)s.", id=membership.checkout_id)
            ) from error
        return found.to_dict()

    def lookup(self, membership: Membership, *, now: datetime) -> Fact | None:
        if not membership.subscription_id:
            return None
        try:
            found = stripe_client().v1.subscriptions.retrieve(membership.subscription_id)
        except stripe.StripeError as error:
            raise PaymentError(
                _l(
                    "Stripe did not answer about subscription %(id)s.",
                    id=membership.subscription_id,
                )
            ) from error
        obj = found.to_dict()
        kind = SUBSCRIPTION_DELETED if obj.get("status") == "canceled" else SUBSCRIPTION_UPDATED
        seen = Fact(
            id=f"reconcile_{membership.subscription_id}_{int(now.timestamp())}",
            type=kind,
            created=now,
        )
        return subscription_fact(seen, obj)


def _stripe_price(membership: Membership) -> str:
    tier = membership.tier
    yearly = membership.interval == Interval.YEAR
    price = tier.stripe_yearly_price if yearly else tier.stripe_monthly_price
    if not price:
        raise PaymentError(_l("This membership cannot be paid online yet: please write to us."))
    return price


class TestBilling(BillingProvider):
    """No money moves: the TEST page (`shop.member_test`) plays Stripe's part."""

    name = "test"
    __test__ = False  # not a pytest class, whatever its name

    def start(self, membership: Membership, *, urls: ReturnUrls, email: str, now: datetime) -> str:
        membership.checkout_id = f"test_cs_{secrets.token_urlsafe(16)}"
        return url_for("shop.member_test", token=membership.checkout_id)

    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        return url_for("shop.member_test", token=membership.checkout_id)


PROVIDERS: dict[str, type[BillingProvider]] = {p.name: p for p in (StripeBilling, TestBilling)}


def billing_provider(name: str | None = None) -> BillingProvider:
    """The provider `name`, or the one new memberships use (test payments or Stripe)."""
    return PROVIDERS[name or checkout_provider_name()]()
