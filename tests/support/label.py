"""Helpers for the tests of the label's order actions: orders on either provider, the
order's admin page, its forms, its history. Plain functions taking the clients they use."""

from __future__ import annotations

import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import OrderEvent
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.campaigns import open_order, pay

PROVIDERS = ("test", "stripe")
SUBMISSION_RE = re.compile(r'name="refund-submission" type="hidden" value="([^"]+)"')


def paid_order(product, provider: str, **kwargs) -> str:
    """An order for `product` paid through `provider` (Stripe's payment id: pi_<ref>)."""
    return pay(open_order(product, provider=provider, **kwargs)).reference


def admin_page(admin, reference: str) -> str:
    response = admin.get(f"/admin/orders/{reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def act(admin, reference: str, action: str, data: dict | None = None, *, prefix: str = ""):
    """Send one of the order page's forms, with the page's CSRF token, as a browser does."""
    token = csrf_token_from(admin_page(admin, reference))
    fields = {f"{prefix}{name}": value for name, value in (data or {}).items()}
    return admin.post(
        f"/admin/orders/{reference}/{action}", data={f"{prefix}csrf_token": token, **fields}
    )


def ship(admin, reference: str, carrier: str = "laposte", tracking: str = "6A12345678901"):
    return act(
        admin, reference, "ship", {"carrier": carrier, "tracking_number": tracking}, prefix="ship-"
    )


def refund_form(admin, reference: str) -> tuple[str, str]:
    """The refund form as the page shows it: (CSRF token, submission id)."""
    page = admin_page(admin, reference)
    return csrf_token_from(page), SUBMISSION_RE.search(page).group(1)


def refund(admin, reference: str, amount: str, reason: str = "Damaged sleeve", *, form=None):
    """Send the refund form (the one given, to send the same form twice)."""
    token, submission = form or refund_form(admin, reference)
    data = {"csrf_token": token, "submission": submission, "amount": amount, "reason": reason}
    return admin.post(
        f"/admin/orders/{reference}/refund",
        data={f"refund-{name}": value for name, value in data.items()},
    )


def history(reference: str) -> list[tuple[str, str, str | None, str | None, str]]:
    """The order's history as (actor, kind, status before, status after, detail)."""
    order = order_by_reference(reference)
    events = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    )
    return [(e.actor, e.kind, e.status_before, e.status_after, e.detail) for e in events]


def kinds_by(reference: str, actor: str) -> list[str]:
    return [kind for who, kind, *_rest in history(reference) if who == actor]
