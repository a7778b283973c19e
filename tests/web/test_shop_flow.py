"""A fan finds a release, fills a cart, checks out and pays with test payments."""

import re

from tests.conftest import csrf_token_from, order_by_reference


def add_to_cart(client, product, quantity=1, option_id=None):
    page = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "product_id": product.id, "quantity": quantity}
    if option_id:
        data["option_id"] = option_id
    return client.post("/cart/add", data=data)


def checkout(client, **fields):
    page = client.get("/checkout").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "email": "fan@example.org",
        "country": "FR",
        "name": "Camille Fan",
        "line1": "3 rue du Sillon",
        "postal_code": "69001",
        "city": "Lyon",
        **fields,
    }
    return client.post("/checkout", data=data)


def reference_from(response) -> str:
    return re.search(r"/pay/test/([\w-]+)", response.headers["Location"]).group(1)


def test_home_lists_current_and_upcoming_releases(client, make_release):
    from datetime import date, timedelta

    make_release(title="Grains de Sable")
    make_release(title="Cartographie Lente", release_date=date.today() + timedelta(days=20))
    html = client.get("/").get_data(as_text=True)
    assert html.index("Grains de Sable") < html.index("Cartographie Lente")
    assert "Coming soon" in html or "Bientôt" in html


def test_release_page_shows_formats_prices_and_stock(client, make_product):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=12)
    html = client.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)
    assert "24,00" in html
    assert "12 left" in html or "Plus que 12" in html or "12 restant" in html
    assert "Sable fin" in html


def test_unknown_release_is_404(client):
    assert client.get("/releases/nope").status_code == 404


def test_buying_a_vinyl_with_test_payments(client, make_product):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=5)
    assert add_to_cart(client, vinyl, 2).status_code == 302
    response = checkout(client)
    assert response.status_code == 302
    reference = reference_from(response)
    order = order_by_reference(reference)
    assert order.status == "pending"
    assert order.total_cents == 2 * 2400 + 690 + 100
    pay_page = client.get(f"/pay/test/{reference}").get_data(as_text=True)
    assert "TEST" in pay_page
    client.post(
        f"/pay/test/{reference}", data={"csrf_token": csrf_token_from(pay_page), "pay": "1"}
    )
    order = order_by_reference(reference)
    assert order.status == "paid"
    assert client.get(f"/orders/{reference}").status_code == 200
