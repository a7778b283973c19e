"""On a phone, a fan scans a gig's poster: the stamp, the fragment playing, the passport
keeping it; scanning again adds nothing (issue 9)."""

from __future__ import annotations

import io
import math
import wave
from array import array
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from playwright.sync_api import Page, Request
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.quests.models import Passport, Stamp
from storefront.shop.quest_views import COOKIE_SALT
from tests.support.quests import poster_url

pytestmark = pytest.mark.browser

WIDTH = 390  # the phone fixture's viewport
MIN_TAP = 44  # px: the smallest comfortable tap target
PAGE_BUDGET = 50_000  # bytes a claim page may weigh before its fragment
SECONDS = 2


def a_tone_wav(seconds: int = SECONDS, rate: int = 8000) -> bytes:
    """A real, playable 440 Hz tone: 16-bit mono PCM (Chromium plays WAV)."""
    samples = array(
        "h", (int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(samples.tobytes())
    return buffer.getvalue()


def audio_state(page: Page, selector: str = "audio.fragment-audio") -> dict:
    return page.locator(selector).evaluate(
        """audio => ({readyState: audio.readyState, currentTime: audio.currentTime,
                      paused: audio.paused, duration: audio.duration,
                      error: audio.error && audio.error.code})"""
    )


def scroll_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def short_targets(page: Page, selector: str) -> list[tuple[str, float]]:
    """The visible elements matching `selector` under MIN_TAP px tall, with their heights."""
    heights = page.locator(selector).evaluate_all(
        """elements => elements.filter(e => e.offsetParent !== null).map(e => [
             (e.textContent || e.value || e.className).trim(),
             e.getBoundingClientRect().height,
           ])"""
    )
    return [(name, height) for name, height in heights if height < MIN_TAP]


def body_bytes(requests: list[Request]) -> dict[str, int]:
    """Each request's response body as transferred (encoded), by URL."""
    sizes = {}
    for request in requests:
        response = request.response()
        assert response is not None and response.ok, f"{request.url} failed: {response}"
        sizes[request.url] = request.sizes()["responseBodySize"]
    return sizes


def stamps_and_passports() -> tuple[int, int]:
    counts = (
        db.session.scalar(select(func.count()).select_from(Stamp)),
        db.session.scalar(select(func.count()).select_from(Passport)),
    )
    db.session.rollback()  # no read transaction left open beside the live server's writes
    return counts


def test_fan_scans_plays_the_fragment_finds_it_in_the_passport_and_a_rescan_adds_nothing(
    app, live_server, phone: Page, make_gig, make_quest
):
    fragment = Path(app.config["PRIVATE_DIR"]) / "fragments" / "lyon-soundcheck.wav"
    fragment.parent.mkdir(parents=True, exist_ok=True)
    fragment.write_bytes(a_tone_wav())
    quest = make_quest(
        make_gig("Lyon"),  # doors half an hour ago: the quest is open now
        fragment_kind="audio",
        fragment_file="fragments/lyon-soundcheck.wav",
        fragment_title="Soundcheck, Lyon",
    )
    quest_id = quest.id
    claim_url = live_server + poster_url(app, quest)
    every_request: list[Request] = []
    phone.context.on("request", lambda request: every_request.append(request))
    # A request the CSP refused shows here, not as a request.
    console_errors: list[str] = []
    phone.on("console", lambda m: m.type == "error" and console_errors.append(m.text))

    # The scan: a stamp at once, with no form and no account.
    phone.goto(claim_url)
    phone.wait_for_load_state("networkidle")  # whatever loads after `load` is counted too
    before_fragment = list(every_request)
    assert phone.get_by_role("status").first.inner_text().startswith("Stamped: Lyon")
    assert phone.locator("h1").inner_text() == "Soundcheck, Lyon"
    assert stamps_and_passports() == (1, 1)

    # Light: the document, its CSS and the favicon; the fragment is not fetched before play.
    weights = body_bytes(before_fragment)
    # Chromium fetches the favicon outside the page's requests: what it gets counts too.
    icon = "/static/favicon.svg"
    weights[icon] = len(phone.request.get(live_server + icon).body())
    assert [r.url for r in before_fragment if "/q/fragments/" in r.url] == []
    assert {r.resource_type for r in before_fragment} >= {"document", "stylesheet"}
    assert sum(weights.values()) < PAGE_BUDGET, weights
    assert scroll_width(phone) <= WIDTH
    assert short_targets(phone, "main .button, main button, main audio") == []
    assert short_targets(phone, ".lang-switch button") == [], "the language buttons too"

    # Play: a tap on the native play button (Chromium draws it at the control's left end).
    audio = phone.locator("audio.fragment-audio")
    assert audio.count() == 1
    assert audio_state(phone)["readyState"] == 0 and audio_state(phone)["paused"]
    audio.evaluate("a => a.addEventListener('playing', () => { a.dataset.played = 'yes' })")
    with phone.expect_response(lambda r: "/q/fragments/" in r.url) as fragment_response:
        box = audio.bounding_box()
        assert box is not None
        phone.touchscreen.tap(box["x"] + 28, box["y"] + box["height"] / 2)
    served = fragment_response.value
    assert served.status in (200, 206) and served.headers["content-type"].startswith("audio/")
    # Until it plays (the `playing` event fired, time moves, data is there), or fails.
    phone.wait_for_function(
        """() => { const a = document.querySelector('audio.fragment-audio');
                   const plays = a.dataset.played && a.readyState >= 2 && a.currentTime > 0;
                   return a.error || plays; }"""
    )
    playing = audio_state(phone)
    assert playing["error"] is None, f"the fragment did not play: {playing}"
    assert playing["duration"] == pytest.approx(SECONDS, abs=0.05)

    # The passport: the city, the fragment, and its audio loads from the passport's link.
    phone.get_by_role("link", name="My passport").tap()
    phone.wait_for_url(live_server + "/passport")
    assert "1 city so far." in phone.locator("main").inner_text()
    card = phone.locator(".stamp-card")
    assert card.count() == 1
    assert card.locator("h2").inner_text().startswith("Lyon")
    assert card.locator(".fragment-title").inner_text() == "Soundcheck, Lyon"
    card.locator("audio.fragment-audio").evaluate("a => a.load()")
    phone.wait_for_function(
        """() => { const a = document.querySelector('.stamp-card audio.fragment-audio');
                   return a.error || a.readyState >= 1; }"""
    )
    kept = audio_state(phone, ".stamp-card audio.fragment-audio")
    assert kept["error"] is None, f"the passport's fragment did not load: {kept}"
    assert kept["duration"] == pytest.approx(SECONDS, abs=0.05)
    assert scroll_width(phone) <= WIDTH
    assert short_targets(phone, "main .button, main button, main audio, main input") == []

    # The second scan: the same stamp, nothing added.
    phone.goto(claim_url)
    assert (
        phone.get_by_role("status").first.inner_text().startswith("Already in your passport: Lyon")
    )
    assert phone.locator("audio.fragment-audio").count() == 1
    assert stamps_and_passports() == (1, 1)
    (stamp,) = db.session.scalars(select(Stamp)).all()
    (cookie,) = [c for c in phone.context.cookies() if c["name"] == app.config["PASSPORT_COOKIE"]]
    cookie_key = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT).loads(
        cookie["value"]
    )
    assert (stamp.quest_id, stamp.passport.key) == (quest_id, cookie_key)
    db.session.rollback()

    # Nothing, on any page of the visit, came from another origin.
    assert [r.url for r in every_request if not r.url.startswith(live_server + "/")] == []
    assert console_errors == []


@pytest.mark.parametrize("scheme, dark", [("dark", True), ("light", False)])
def test_the_claim_page_follows_the_phones_dark_mode(
    app, live_server, browser, make_quest, scheme, dark
):
    quest = make_quest()
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(live_server + poster_url(app, quest))
        colors = page.evaluate(
            """() => [getComputedStyle(document.documentElement).backgroundColor,
                      getComputedStyle(document.querySelector('.quest h1')).color]"""
        )
    finally:
        context.close()
    background, text = (_luminance(color) for color in colors)
    assert (background < 0.2) is dark and (text > 0.8) is dark, colors
    assert abs(background - text) > 0.6, "readable: ink and paper far apart"


def _luminance(css: str) -> float:
    red, green, blue = (int(part) for part in css[css.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
