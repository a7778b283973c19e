"""The label's name, address and city come from configuration, on every page."""

import pytest

from tests.web.test_safe_defaults import shop_with  # noqa: F401 - a fixture

ENGLISH = {"Accept-Language": "en"}
ELSEWHERE = {
    "LABEL_NAME": "Autre Label",
    "LABEL_EMAIL": "bonjour@autre.example",
    "LABEL_CITY": "Nantes",
}


@pytest.fixture
def other_label(shop_with):  # noqa: F811 - the imported fixture
    return shop_with(**ELSEWHERE).test_client()


def test_the_header_title_and_footer_name_the_configured_label(other_label):
    page = other_label.get("/", headers=ENGLISH).get_data(as_text=True)
    assert "<title>Autre Label — label shop</title>" in page
    assert '<a class="brand" href="/">Autre Label</a>' in page
    assert "<h1>Autre Label</h1>" in page
    assert "Autre Label, experimental music label — Nantes." in page
    assert "shipping from Nantes within 2 working days" in page
    assert '<a href="mailto:bonjour@autre.example">bonjour@autre.example</a>' in page
    for default in ("Bruit Blanc", "bruitblanc", "Lyon"):
        assert default not in page


def test_a_french_page_names_the_configured_label_too(other_label):
    page = other_label.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "<title>Autre Label — boutique du label</title>" in page
    assert "Autre Label, label de musique expérimentale — Nantes." in page
    assert "expédition depuis Nantes sous 2 jours ouvrés" in page


def test_page_titles_end_with_the_configured_label(other_label, make_product):
    release = make_product().release
    page = other_label.get(f"/releases/{release.slug}", headers=ENGLISH).get_data(as_text=True)
    assert f"<title>{release.title} — {release.artist} — Autre Label</title>" in page
    missing = other_label.get("/releases/nothing-here", headers=ENGLISH).get_data(as_text=True)
    assert "— Autre Label</title>" in missing


def test_the_language_switch_offers_the_configured_languages(shop_with):  # noqa: F811
    page = shop_with(LANGUAGES=("fr",)).test_client().get("/").get_data(as_text=True)
    assert 'value="fr"' in page and 'value="en"' not in page
