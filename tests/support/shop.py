"""Driving the shop as a fan does, through the test client (CSRF tokens included)."""

from __future__ import annotations

import re

from tests.conftest import csrf_token_from

ADDRESS = {
    "name": "Camille Fan",
    "line1": "3 rue du Sillon",
    "postal_code": "69001",
    "city": "Lyon",
    "country": "FR",
}


def add_to_cart(client, product, quantity=1, option_id=None):
    page = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "product_id": product.id, "quantity": quantity}
    if option_id:
        data["option_id"] = option_id
    return client.post("/cart/add", data=data)


def checkout(client, email="fan@example.org", **fields):
    page = client.get("/checkout").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "email": email, **ADDRESS, **fields}
    return client.post("/checkout", data=data)


def reference_of(response) -> str:
    """The order reference in a redirect to the TEST payment page."""
    return re.search(r"/pay/test/([\w-]+)", response.headers["Location"]).group(1)


def pay_test(client, reference, action="pay"):
    page = client.get(f"/pay/test/{reference}").get_data(as_text=True)
    return client.post(
        f"/pay/test/{reference}", data={"csrf_token": csrf_token_from(page), action: "1"}
    )


def cancel_on_order_page(client, reference):
    """Press "Cancel this order..." on the order page (a POST with its CSRF token)."""
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    token = csrf_token_from(page)
    return client.post(f"/orders/{reference}/cancel", data={"csrf_token": token})


def buy(client, *products, **fields) -> str:
    """Add each product once, check out and pay with test payments; the order reference."""
    for product in products:
        add_to_cart(client, product)
    reference = reference_of(checkout(client, **fields))
    pay_test(client, reference)
    return reference
