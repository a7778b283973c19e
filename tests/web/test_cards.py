"""Hidden-content cards: a code opens the edition's content for its first email only,
the file behind a signed link, brute force rate-limited, QR codes for printing."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.editions.cards import (
    CardTaken,
    CardUnknown,
    card_qr_png,
    card_token,
    open_card,
    redeem_card,
)
from storefront.editions.models import CardRedemption, Copy
from storefront.extensions import db
from tests.conftest import csrf_token_from

SECRET = "Le morceau caché : une prise de nuit, à écouter fort."
AUDIO = b"OggS" + bytes(range(200))
WRONG_EMAIL = "This card was already opened with another email address"
UNKNOWN = "This code is not one of ours."


@pytest.fixture
def card(app, make_edition) -> Copy:
    """A copy of an edition whose card opens a text and an audio file."""
    edition = make_edition()
    path = Path(app.config["PRIVATE_DIR"]) / "cards" / "nuit.ogg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(AUDIO)
    edition.card_content = SECRET
    edition.card_file = "cards/nuit.ogg"
    db.session.commit()
    return db.session.scalars(select(Copy).where(Copy.edition_id == edition.id)).first()


def redeem(client, code: str, email: str):
    token = csrf_token_from(client.get("/cards").get_data(as_text=True))
    return client.post("/cards", data={"csrf_token": token, "code": code, "email": email})


def file_link(html: str) -> str:
    match = re.search(r'src="(/cards/files/[\w.-]+)"', html)
    assert match, "no file link on the card page"
    return match.group(1)


def test_the_qr_link_prefills_the_code(client, card):
    html = client.get(f"/cards/{card.card_code}").get_data(as_text=True)
    assert f'value="{card.card_code}"' in html
    assert SECRET not in html, "a code alone opens nothing"
    assert 'action="/cards"' in html


def test_a_code_and_an_email_open_the_hidden_content(client, card):
    response = redeem(client, f" {card.card_code} ", "Camille@Example.org")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Le morceau caché : une prise de nuit, à écouter fort." in html
    assert '<audio class="reward-media" controls' in html
    redemption = db.session.scalar(select(CardRedemption))
    assert (redemption.copy_id, redemption.email) == (card.id, "camille@example.org")


def test_the_hidden_file_is_never_cached(client, card):
    link = file_link(redeem(client, card.card_code, "camille@example.org").get_data(as_text=True))
    response = client.get(link)
    response.close()
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")


def test_the_same_email_may_reopen_the_card(client, card):
    redeem(client, card.card_code, "camille@example.org")
    response = redeem(client, card.card_code, "  CAMILLE@example.org")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Welcome back: this card is yours." in html and "une prise de nuit" in html
    assert len(db.session.scalars(select(CardRedemption)).all()) == 1


def test_another_email_is_refused(client, card):
    redeem(client, card.card_code, "camille@example.org")
    response = redeem(client, card.card_code, "someone.else@example.org")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert WRONG_EMAIL in html and "une prise de nuit" not in html
    assert 'value="someone.else@example.org"' in html, "the form keeps what was typed"
    db.session.expire_all()
    assert db.session.scalar(select(CardRedemption.email)) == "camille@example.org"


def test_an_unknown_code_gets_a_clear_message(client, card):
    for code in ("nope", card.card_code.swapcase(), "x" * 64):
        response = redeem(client, code, "camille@example.org")
        assert response.status_code == 404, code
        assert UNKNOWN in response.get_data(as_text=True)
    assert redeem(client, "x" * 65, "camille@example.org").status_code == 422
    assert redeem(client, card.card_code, "not an email").status_code == 422
    assert db.session.scalar(select(CardRedemption)) is None


def test_the_form_needs_its_csrf_token(client, card):
    response = client.post("/cards", data={"code": card.card_code, "email": "a@example.org"})
    assert response.status_code == 400
    assert db.session.scalar(select(CardRedemption)) is None


def test_guessing_codes_is_rate_limited(client, app, card, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_RATE_LIMIT", "3 per minute")
    for n in range(5):  # opening one's own card again and again is not guessing
        assert redeem(client, card.card_code, "camille@example.org").status_code == 200, n
    for n in range(3):
        assert redeem(client, f"guess-{n}", "camille@example.org").status_code == 404
    blocked = redeem(client, card.card_code, "camille@example.org")  # even the right code waits
    assert blocked.status_code == 429
    assert "Too many tries: wait a minute" in blocked.get_data(as_text=True)
    assert client.get("/cards").status_code == 200, "showing the form is not limited"


def test_the_hidden_file_needs_a_valid_link(client, card):
    html = redeem(client, card.card_code, "camille@example.org").get_data(as_text=True)
    link = file_link(html)
    response = client.get(link)
    assert response.status_code == 200
    assert response.get_data() == AUDIO
    response.close()
    download = client.get(f"{link}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()

    token = link.rsplit("/", 1)[1]
    for bad in ("not-a-token", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        response = client.get(f"/cards/files/{bad}")
        assert response.status_code == 404, bad
        assert "This link has expired or is not valid" in response.get_data(as_text=True)
    assert client.get("/static/cards/nuit.ogg").status_code == 404, "never a static file"

    db.session.delete(db.session.scalar(select(CardRedemption)))
    db.session.commit()
    assert client.get(link).status_code == 404, "the redemption is checked again"


def test_a_card_without_file_shows_its_text_only(client, card):
    card.variant.edition.card_file = None
    db.session.commit()
    html = redeem(client, card.card_code, "camille@example.org").get_data(as_text=True)
    assert SECRET.split(":")[0] in html and "/cards/files/" not in html


def test_the_service_rules(card):
    opened = redeem_card(db.session, code=card.card_code, email="a@example.org", now=utcnow())
    assert opened.first_time and opened.edition.card_content == SECRET
    again = redeem_card(db.session, code=card.card_code, email="A@example.org", now=utcnow())
    assert not again.first_time
    with pytest.raises(CardTaken):
        redeem_card(db.session, code=card.card_code, email="b@example.org", now=utcnow())
    with pytest.raises(CardUnknown):
        redeem_card(db.session, code="unknown", email="a@example.org", now=utcnow())
    assert open_card(db.session, card_token(opened)).copy.id == card.id


def test_card_qr_png_is_a_png_of_a_qr_code():
    png = card_qr_png("https://shop.bruitblanc.example/cards/AbC-12_xyz")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
        assert width == height >= 21 * 10, "a square of at least 21 modules"
        assert {color for _count, color in image.convert("L").getcolors()} == {0, 255}
