"""Helpers for the fulfilment tests: paid orders of several lines through the real
services, and the order page's parcel and return forms sent as a browser does."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import Buyer, start_checkout
from storefront.orders.models import OrderLine
from storefront.orders.shipping import Zone
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.campaigns import ADDRESS, pay
from tests.support.fans import CSRF_RE, Fan
from tests.support.staff import PASSWORD

RETURN_SUBMISSION_RE = re.compile(r'name="return-submission" type="hidden" value="([^"]+)"')


def paid_cart_order(
    *items, provider: str = "test", email: str = "fan@example.org", **address
) -> str:
    """An order of `items` ((product, quantity) or (product, option_id, quantity)),
    paid through `provider`; its reference."""
    cart = Cart()
    for item in items:
        product, *option, quantity = item
        cart.add(CartKey(product.id, option[0] if option else None), quantity)
    priced = price_cart(db.session, cart, Zone.FRANCE)
    buyer = Buyer(email=email, locale="en", **{**ADDRESS, **address})
    order = start_checkout(
        db.session,
        cart=priced,
        buyer=buyer,
        provider=provider,
        now=utcnow(),
        reservation_minutes=30,
    )
    return pay(order).reference


def lines_of(reference: str, *products) -> list[OrderLine]:
    """The order's lines; with `products`, one line of each, in that order (the cart
    sorts its lines by key, as text)."""
    lines = list(order_by_reference(reference).lines)
    if not products:
        return lines
    return [next(line for line in lines if line.product_id == p.id) for p in products]


def order_page(client, reference: str) -> str:
    response = client.get(f"/admin/orders/{reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def send_parcel(
    client,
    reference: str,
    units: dict[int, int],
    carrier: str = "laposte",
    tracking: str = "6A12345678901",
):
    """The order page's parcel form: `units` by order line id (the others: 0)."""
    page = order_page(client, reference)
    data = {f"parcel-line-{line.id}": "0" for line in lines_of(reference) if line.is_physical}
    data |= {f"parcel-line-{line_id}": str(n) for line_id, n in units.items()}
    data |= {
        "parcel-csrf_token": csrf_token_from(page),
        "parcel-carrier": carrier,
        "parcel-tracking_number": tracking,
    }
    return client.post(f"/admin/orders/{reference}/parcel", data=data)


def return_form(client, reference: str) -> tuple[str, str]:
    """The return form as the page shows it: (CSRF token, submission id)."""
    page = order_page(client, reference)
    return csrf_token_from(page), RETURN_SUBMISSION_RE.search(page).group(1)


def return_data(
    reference: str,
    units: dict[int, int],
    form: tuple[str, str],
    *,
    reason: str = "damaged",
    outcome: str = "restock",
    amount: str = "",
    note: str = "",
) -> dict[str, str]:
    token, submission = form
    data = {f"return-line-{line.id}": "0" for line in lines_of(reference) if line.is_physical}
    data |= {f"return-line-{line_id}": str(n) for line_id, n in units.items()}
    fields = {
        "csrf_token": token,
        "submission": submission,
        "reason": reason,
        "outcome": outcome,
        "amount": amount,
        "note": note,
    }
    return data | {f"return-{name}": value for name, value in fields.items()}


def send_return(client, reference: str, units: dict[int, int], *, form=None, **fields):
    """The order page's return form (the one given, to send the same form twice)."""
    data = return_data(reference, units, form or return_form(client, reference), **fields)
    return client.post(f"/admin/orders/{reference}/return", data=data)


class Admin(Fan):
    """An admin's browser against the live server."""

    def sign_in(self, email: str) -> None:
        token = self.token("/admin/login")
        data = {"csrf_token": token, "email": email, "password": PASSWORD}
        assert self.request("/admin/login", data).status == 302

    def form_data(self, path: str, prefix: str) -> tuple[str, str]:
        """(CSRF token, the `prefix` form's submission id) of the page at `path`."""
        page = self.request(path).body
        marker = f'name="{prefix}-submission" type="hidden" value="'
        return CSRF_RE.search(page).group(1), page.split(marker)[1].split('"')[0]


def at_once(calls: list) -> list:
    start = Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
