"""Test payments: a local page marked TEST with Pay / Fail / Cancel, no money moves."""

from flask import url_for

from storefront.orders.models import Order
from storefront.payments.provider import RecordedRefunds, RemoteCheckout, ReturnUrls


class TestPaymentProvider(RecordedRefunds):
    name = "test"

    def start_payment(self, order: Order, *, urls: ReturnUrls) -> str:
        return url_for("shop.test_payment", reference=order.reference)

    def lookup(self, order: Order) -> RemoteCheckout | None:
        return None
