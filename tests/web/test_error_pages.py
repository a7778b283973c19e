"""Error pages speak the page's language; JSON errors keep a stable code, in English."""

from html import unescape

import pytest
from flask_babel import force_locale
from werkzeug.exceptions import ImATeapot

from storefront.admin.uploads import describe_size
from storefront.clock import utcnow
from storefront.editions.services import copies_of_order
from storefront.extensions import db
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import AddressRequired, Buyer, start_checkout
from storefront.orders.shipping import Zone
from storefront.web import error_text
from tests.support.campaigns import preorder
from tests.support.shop import add_to_cart, checkout
from tests.support.stripe_fakes import stripe_error


@pytest.fixture
def french(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


def test_a_french_404_is_french(french):
    response = french.get("/nothing-here")
    assert response.status_code == 404
    page = unescape(response.get_data(as_text=True))
    assert "<h1>Page introuvable</h1>" in page
    assert "Cette page n'existe pas ou plus." in page
    assert "Not Found" not in page and "requested URL" not in page


def test_an_english_404_is_english(client):
    page = client.get("/nothing-here").get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page


def test_a_french_413_is_french(french):
    response = french.post("/lang", data=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>Trop volumineux</h1>" in page
    assert "Request Entity Too Large" not in page and "data transmitted" not in page


def test_a_french_405_is_french(french):
    response = french.put("/")
    assert response.status_code == 405
    assert "<h1>Action impossible ici</h1>" in response.get_data(as_text=True)


def test_a_nul_byte_is_refused_in_french(french):
    response = french.get("/?q=%00")
    assert response.status_code == 400
    assert "Caractères invalides dans la requête." in unescape(response.get_data(as_text=True))


def test_an_unknown_code_gets_the_generic_words():
    with force_locale("fr"):
        assert error_text(ImATeapot()) == (
            "Désolé",
            "La boutique n'a pas pu répondre à cette requête.",
        )


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("/api/v1/nothing", "not_found", "The requested URL was not found"),
        ("/healthz?q=%00", "bad_request", "Invalid characters in the request."),
    ],
)
def test_json_errors_keep_their_code_and_english_message(french, url, code, message):
    response = french.get(url)
    assert response.json["error"] == code
    assert response.json["message"].startswith(message)


def test_a_payment_error_on_a_french_checkout_is_french(french, stripe_http, make_product):
    vinyl = make_product(stock=3)
    add_to_cart(french, vinyl)
    stripe_http.queue(stripe_error("Invalid currency: xyz"), status=400)
    page = unescape(checkout(french).get_data(as_text=True))
    assert "Le service de paiement n'a pas répondu ; veuillez réessayer." in page
    assert "payment service did not answer" not in page


def test_a_missing_address_is_said_in_the_fans_language(make_product):
    cart = Cart()
    cart.add(CartKey(make_product().id), 1)
    priced = price_cart(db.session, cart, Zone.FRANCE)
    with force_locale("fr"), pytest.raises(AddressRequired) as refused:
        start_checkout(
            db.session,
            cart=priced,
            buyer=Buyer(email="fan@example.org"),
            provider="test",
            now=utcnow(),
            reservation_minutes=30,
        )
    assert refused.value.message == (
        "Une adresse de livraison est nécessaire pour les articles physiques."
    )


def test_a_copy_reads_in_the_pages_language(make_edition):
    edition = make_edition(variants=(("standard", 1),))
    [copy] = copies_of_order(db.session, preorder(edition.product))
    with force_locale("fr"):
        assert copy.label == "N° 1/1 — standard"


def test_sizes_read_in_the_pages_language():
    with force_locale("fr"):
        assert [describe_size(size) for size in (1024**3, 1536 * 1024, 200 * 1024, 1)] == [
            "1 Go",
            "1,5 Mo",
            "200 Ko",
            "1 octet",
        ]
