"""A fan finds a release, fills a cart, checks out and pays with test payments."""

from datetime import date, timedelta

from tests.conftest import csrf_token_from, order_by_reference
from tests.support.shop import add_to_cart, checkout, pay_test, reference_of


def test_home_lists_current_and_upcoming_releases(client, make_release):
    make_release(title="Grains de Sable")
    make_release(title="Cartographie Lente", release_date=date.today() + timedelta(days=20))
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.index("Out now") < html.index("Grains de Sable")
    assert html.index("Coming soon") < html.index("Cartographie Lente")


def test_release_page_shows_formats_prices_stock_and_delivery(client, make_product):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=12)
    html = client.get(
        f"/releases/{vinyl.release.slug}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "€24.00" in html
    assert "12 left" in html
    assert "Sable fin" in html and "4:05" in html
    assert "Delivery: France 4\u20136" in html  # en dash


def test_sold_out_format_has_no_add_button(client, make_product):
    vinyl = make_product(stock=0)
    html = client.get(
        f"/releases/{vinyl.release.slug}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Sold out" in html
    assert "/cart/add" not in html


def test_unknown_release_is_404(client):
    assert client.get("/releases/nope").status_code == 404


def test_cart_quantities_subtotal_shipping_and_total(client, make_product):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=5)
    add_to_cart(client, vinyl, 2)
    html = client.get("/cart?country=DE", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "€48.00" in html  # subtotal
    assert "€14.90" in html  # EU parcel 12,90 + 2,00 for the second record
    assert "€62.90" in html


def test_removing_a_line_empties_the_cart(client, make_product):
    vinyl = make_product()
    add_to_cart(client, vinyl)
    page = client.get("/cart").get_data(as_text=True)
    client.post(
        "/cart/update",
        data={
            "csrf_token": csrf_token_from(page),
            "key": f"{vinyl.id}:0",
            "quantity": 1,
            "remove": "1",
        },
    )
    assert "Votre panier est vide" in client.get("/cart").get_data(
        as_text=True
    ) or "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_bad_quantity_is_refused_with_a_message(client, make_product):
    vinyl = make_product()
    page = client.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)
    response = client.post(
        "/cart/add",
        data={"csrf_token": csrf_token_from(page), "product_id": vinyl.id, "quantity": "lots"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert not client.get("/cart").get_data(as_text=True).count(vinyl.name)


def test_add_without_csrf_is_refused(client, make_product):
    vinyl = make_product()
    assert client.post("/cart/add", data={"product_id": vinyl.id, "quantity": 1}).status_code == 400


def test_digital_only_checkout_asks_no_address(client, make_product):
    album = make_product(kind="digital", price_cents=900)
    add_to_cart(client, album)
    html = client.get("/checkout").get_data(as_text=True)
    assert 'name="line1"' not in html
    page = client.get("/checkout").get_data(as_text=True)
    response = client.post(
        "/checkout", data={"csrf_token": csrf_token_from(page), "email": "fan@example.org"}
    )
    assert response.status_code == 302
    assert order_by_reference(reference_of(response)).total_cents == 900


def test_physical_checkout_requires_an_address_and_keeps_what_was_typed(client, make_product):
    vinyl = make_product()
    add_to_cart(client, vinyl)
    response = checkout(client, email="fan@example.org", city="", line1="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="fan@example.org"' in html
    assert 'value="Camille Fan"' in html
    assert vinyl.stock == 10


def test_bad_email_gets_a_message(client, make_product):
    album = make_product(kind="digital")
    add_to_cart(client, album)
    response = checkout(client, email="not-an-email")
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_changing_country_at_checkout_shows_the_new_total_before_paying(client, make_product):
    vinyl = make_product(price_cents=2400)
    add_to_cart(client, vinyl)
    response = checkout(client, country="US")
    assert response.status_code == 200
    assert "€43.90" in response.get_data(as_text=True)  # 24.00 + 19.90 world parcel
    response = checkout(client, country="US")
    assert order_by_reference(reference_of(response)).total_cents == 2400 + 1990


def test_buying_a_vinyl_with_test_payments(client, make_product):
    vinyl = make_product(kind="vinyl", price_cents=2400, stock=5)
    add_to_cart(client, vinyl, 2)
    reference = reference_of(checkout(client))
    order = order_by_reference(reference)
    assert (order.status, order.total_cents) == ("pending", 2 * 2400 + 690 + 100)
    assert "TEST" in client.get(f"/pay/test/{reference}").get_data(as_text=True)
    pay_test(client, reference)
    assert order_by_reference(reference).status == "paid"
    page = client.get(f"/orders/{reference}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Paid" in page and "Camille Fan" in page
    assert client.get("/cart").get_data(as_text=True).count('name="key"') == 0


def test_order_page_of_unknown_reference_is_404(client):
    assert client.get("/orders/doesnotexist").status_code == 404


def test_language_switch_is_remembered(client, make_release):
    make_release()
    page = client.get("/").get_data(as_text=True)
    client.post("/lang", data={"csrf_token": csrf_token_from(page), "lang": "en", "next": "/cart"})
    assert "Your cart" in client.get("/cart", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )


def test_language_switch_never_redirects_off_site(client):
    page = client.get("/").get_data(as_text=True)
    response = client.post(
        "/lang", data={"csrf_token": csrf_token_from(page), "lang": "en", "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_language_switch_refuses_backslash_tricks(client):
    page = client.get("/").get_data(as_text=True)
    response = client.post(
        "/lang", data={"csrf_token": csrf_token_from(page), "lang": "en", "next": "/\\evil.example"}
    )
    assert response.headers["Location"] == "/"


def test_french_when_the_browser_says_nothing_english_when_it_asks(client, make_release):
    make_release()
    silent = client.get("/", environ_overrides={"HTTP_ACCEPT_LANGUAGE": ""})
    assert '<html lang="fr">' in silent.get_data(as_text=True)
    assert "Disponibles" in silent.get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Out now" in english.get_data(as_text=True)


def test_checkout_fields_carry_their_html_types(client, make_product):
    add_to_cart(client, make_product())
    html = client.get("/checkout").get_data(as_text=True)
    assert 'type="email"' in html and 'autocomplete="postal-code"' in html
    assert "None" not in html
