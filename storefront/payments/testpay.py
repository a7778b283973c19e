"""Test payments: a local page marked TEST with Pay / Fail / Cancel, no money moves."""

from flask import url_for

from storefront.orders.models import Order
from storefront.payments.provider import PaymentProvider, RemoteCheckout, ReturnUrls


class TestPaymentProvider(PaymentProvider):
    name = "test"

    def start_payment(self, order: Order, *, urls: ReturnUrls) -> str:
        return url_for("shop.test_payment", reference=order.reference)

    def refund(
        self,
        order: Order,
        *,
        amount_cents: int,
        idempotency_key: str,
        payment_id: str | None = None,
    ) -> str:
        # Deterministic per key, so a retried refund is recognised as the same one.
        return f"test_re_{idempotency_key}"

    def lookup(self, order: Order) -> RemoteCheckout | None:
        return None
