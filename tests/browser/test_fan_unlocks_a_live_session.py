"""On a phone, a fan preorders, their payment reaches the goal, and they open the session."""

import io
import wave
from pathlib import Path

import pytest

from storefront.extensions import db
from tests.support.campaigns import preorder

pytestmark = pytest.mark.browser


def a_short_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x10" * 8000)
    return buffer.getvalue()


def test_fan_preorders_reaches_the_unlock_and_opens_the_live_session(
    app, live_server, phone, make_release, make_product, make_campaign
):
    release = make_release(title="Cartographie Lente", slug="cartographie-lente")
    vinyl = make_product(release=release, kind="vinyl", stock=50, name='12" vinyl (preorder)')
    campaign = make_campaign(
        products=[vinyl], goals=[("unlock", 2, "live_session", "Live session at the Atelier")]
    )
    session_file = Path(app.config["PRIVATE_DIR"]) / "rewards" / "atelier.wav"
    session_file.parent.mkdir(parents=True, exist_ok=True)
    session_file.write_bytes(a_short_wav())
    campaign.goals[0].reward_file = "rewards/atelier.wav"
    db.session.commit()
    preorder(vinyl, email="first@example.org")

    phone.goto(f"{live_server}/releases/cartographie-lente")
    assert "1 to unlock the live session" in phone.locator(".campaign").inner_text().replace(
        "\n", " "
    )
    phone.locator(".format").filter(has_text="preorder").get_by_role(
        "button", name="Add to cart"
    ).click()
    phone.get_by_role("link", name="Checkout").click()
    phone.get_by_label("Email").fill("camille@example.org")
    phone.get_by_label("Full name").fill("Camille Fan")
    phone.get_by_label("Address", exact=True).fill("3 rue du Sillon")
    phone.get_by_label("Postal code").fill("69001")
    phone.get_by_label("City").fill("Lyon")
    phone.get_by_role("button", name="Continue to payment").click()
    phone.get_by_role("button", name="Pay (test)").click()
    phone.wait_for_url("**/orders/*")

    phone.get_by_role("link", name="Live session at the Atelier").click()
    audio = phone.locator("audio")
    assert audio.count() == 1
    source = audio.first.get_attribute("src") or audio.first.locator("source").first.get_attribute(
        "src"
    )
    response = phone.request.get(live_server + source if source.startswith("/") else source)
    assert response.ok and response.body() == session_file.read_bytes()
