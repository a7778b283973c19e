"""The rotating screen held up at the stand: a real QR reader (zxing-cpp) reads the
screenshot and gets exactly this minute's claim URL, which gives a fan the stamp."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from storefront.clock import utcnow
from storefront.quests.codes import read_code, slot_at
from tests.support.staff import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_the_screens_qr_reads_as_this_minutes_claim_url(app, live_server, browser, make_quest):
    quest = make_quest()
    make_user("staff@bruitblanc.example", role="staff")
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        page = laptop.new_page()
        page.goto(f"{live_server}/admin/login?next=/admin/gigs/{quest.gig_id}/screen")
        page.get_by_label("Email").fill("staff@bruitblanc.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator(".quest-screen-qr svg").wait_for()
        shot = page.screenshot()
    finally:
        laptop.close()
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    url = result.text
    code = read_code(app.config["SECRET_KEY"], url.rsplit("/q/", 1)[1])
    assert url == f"{app.config['PUBLIC_URL']}/q/{url.rsplit('/q/', 1)[1]}"
    assert code.gig_id == quest.gig_id and slot_at(utcnow()) - code.slot in (0, 1)
    fan = app.test_client()
    assert "Stamped: Lausanne" in fan.get(url.removeprefix(app.config["PUBLIC_URL"])).get_data(
        as_text=True
    )
