"""The interface every payment provider implements, and how one is chosen."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app

from storefront.orders.models import Order


@dataclass(frozen=True)
class ReturnUrls:
    success: str
    cancel: str


class RemoteState(StrEnum):
    """What the provider says about a checkout we have not heard back from."""

    OPEN = "open"
    PAID = "paid"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RemoteCheckout:
    state: RemoteState
    payment_id: str | None = None
    # What was paid, so a payment is checked against the order before it settles it.
    amount_cents: int | None = None
    currency: str | None = None


class PaymentProvider(ABC):
    """One way of taking money. Implementations never change orders themselves:
    they talk to the outside world and the payment services apply the outcome."""

    name: str

    @abstractmethod
    def start_payment(self, order: Order, *, urls: ReturnUrls) -> str:
        """Open a payment for `order` and return the URL to send the fan to.

        May set `order.provider_session_id`; the caller commits.
        """

    @abstractmethod
    def refund(
        self,
        order: Order,
        *,
        amount_cents: int,
        idempotency_key: str,
        payment_id: str | None = None,
    ) -> str:
        """Give money back and return the provider's refund id. Same key, same refund.

        `payment_id` names a payment other than the order's own: one the shop refused.
        """

    def abandon(self, order: Order) -> bool:
        """Close the payment so it can no longer be paid; False if it was paid already."""
        return True

    def lookup(self, order: Order) -> RemoteCheckout | None:
        """Ask the provider what became of `order`'s payment (reconciliation)."""
        return None


class RecordedRefunds(PaymentProvider):
    """A provider whose refunds move no money through an API (test payments, the stand's
    cash box and card terminal): the refund is recorded, with one id per key, so a retry
    is recognised as the same refund."""

    def refund(
        self,
        order: Order,
        *,
        amount_cents: int,
        idempotency_key: str,
        payment_id: str | None = None,
    ) -> str:
        return f"{self.name}_re_{idempotency_key}"


def _registry() -> dict[str, type[PaymentProvider]]:
    from storefront.payments.stand import CashProvider, TerminalProvider
    from storefront.payments.stripe import StripeProvider
    from storefront.payments.testpay import TestPaymentProvider

    providers = (StripeProvider, TestPaymentProvider, CashProvider, TerminalProvider)
    return {provider.name: provider for provider in providers}


def get_provider(name: str) -> PaymentProvider:
    """The provider registered under `name`."""
    return _registry()[name]()


def checkout_provider_name() -> str:
    """Which provider takes online payments: Stripe, or test payments when switched on."""
    return "test" if current_app.config["TEST_PAYMENTS"] else "stripe"
