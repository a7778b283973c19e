"""Carriers and their public tracking pages (pure)."""

import pytest

from storefront.orders.carriers import CARRIERS, carrier_name, clean_tracking_number, tracking_url


@pytest.mark.parametrize(
    ("code", "number", "url"),
    [
        (
            "laposte",
            "6A12345678901",
            "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        ),
        (
            "chronopost",
            "XY123456789FR",
            "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY123456789FR",
        ),
        (
            "dhl",
            "1234567890",
            "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id=1234567890",
        ),
        ("ups", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        (
            "mondialrelay",
            "12345678",
            "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=12345678",
        ),
    ],
)
def test_each_known_carrier_has_its_tracking_page(code, number, url):
    assert tracking_url(code, number) == url


def test_mondial_relay_shows_a_parcel_with_its_postcode():
    url = tracking_url("mondialrelay", "12345678", postal_code="69 001")
    assert (
        url
        == "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=12345678&CodePostal=69001"
    )
    assert "CodePostal" not in tracking_url("laposte", "6A1", postal_code="69001")


@pytest.mark.parametrize(
    ("code", "number"),
    [("other", "ABC123"), ("pigeon", "ABC123"), (None, "X"), ("ups", None), ("ups", "")],
)
def test_no_page_for_another_carrier_an_unknown_one_or_no_number(code, number):
    assert tracking_url(code, number) is None


def test_the_number_is_quoted_into_the_query():
    assert tracking_url("ups", "A&B=C") == "https://www.ups.com/track?tracknum=A%26B%3DC"


def test_the_list_is_the_issue_s_and_names_read_as_people_say_them():
    assert list(CARRIERS) == ["laposte", "mondialrelay", "chronopost", "dhl", "ups", "other"]
    assert carrier_name("laposte") == "La Poste / Colissimo"
    assert carrier_name("other") == carrier_name("pigeon") == ""


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        (" 6a 1234-5678 901 ", "6A12345678901"),
        ("1z999aa10123456784", "1Z999AA10123456784"),
        ("1234", "1234"),
    ],
)
def test_a_typed_tracking_number_is_cleaned(typed, clean):
    assert clean_tracking_number(typed) == clean


@pytest.mark.parametrize(
    "typed", ["", "  ", "123", "6A1234<script>", "x" * 41, "\u0661\u0662\u0663\u0664"]
)
def test_a_tracking_number_that_is_not_one_is_refused(typed):
    with pytest.raises(ValueError):
        clean_tracking_number(typed)
