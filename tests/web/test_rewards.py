"""Unlocked rewards behind signed links: live sessions, bonus tracks, early downloads."""

import re
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.payments.services import refund_order
from storefront.preorders.rewards import SALT, reward_token
from tests.conftest import fresh
from tests.support.campaigns import preorder

SESSION_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4


def private(app, relative: str, content: bytes) -> str:
    path = Path(app.config["PRIVATE_DIR"]) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return relative


def reward_link(client, order) -> str:
    html = client.get(f"/orders/{order.reference}").get_data(as_text=True)
    match = re.search(r'href="(/rewards/[\w.-]+)"', html)
    assert match, "no reward link on the order page"
    return match.group(1)


@pytest.fixture
def live_session(app, make_campaign):
    """A campaign whose first preorder unlocks a live session video."""
    campaign = make_campaign(goals=[("unlock", 1, "live_session", "Live at Le Sucre")])
    goal = campaign.goals[0]
    goal.reward_file = private(app, "rewards/session.mp4", SESSION_BYTES)
    goal.reward_description = "Recorded live, one take."
    db.session.commit()
    return campaign


def test_backer_opens_the_live_session_and_its_file(client, live_session):
    order = preorder(live_session.products[0])
    link = reward_link(client, order)
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Live at Le Sucre" in html and "Recorded live, one take." in html
    assert f'<video class="reward-media" controls preload="metadata" src="{link}/file"' in html
    response = client.get(f"{link}/file")
    assert response.status_code == 200
    assert response.mimetype == "video/mp4"
    assert response.get_data() == SESSION_BYTES
    response.close()


def test_an_audio_session_plays_in_an_audio_element(app, client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "live_session", "Radio session")])
    campaign.goals[0].reward_file = private(app, "rewards/radio.ogg", b"OggS" + b"\x00" * 40)
    db.session.commit()
    html = client.get(reward_link(client, preorder(campaign.products[0]))).get_data(as_text=True)
    assert '<audio class="reward-media"' in html and "<video" not in html


def test_an_embedded_session_is_a_link_never_an_iframe(client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "live_session", "Session on video")])
    campaign.goals[0].reward_embed_url = "https://video.example/watch/42"
    db.session.commit()
    html = client.get(reward_link(client, preorder(campaign.products[0]))).get_data(as_text=True)
    assert '<a class="button primary" href="https://video.example/watch/42"' in html
    assert "Watch the session" in html
    assert "<iframe" not in html


def test_a_bonus_track_plays_and_downloads(app, client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "bonus_track", "Bonus: Sable (demo)")])
    campaign.goals[0].reward_file = private(app, "rewards/bonus.mp3", b"ID3" + b"\x01" * 64)
    db.session.commit()
    link = reward_link(client, preorder(campaign.products[0]))
    assert f'<audio class="reward-media" controls preload="metadata" src="{link}/file"' in (
        client.get(link).get_data(as_text=True)
    )
    download = client.get(f"{link}/file?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.get_data() == b"ID3" + b"\x01" * 64
    download.close()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        URLSafeSerializer("another-secret", salt=SALT).dumps([1, 1, 0]),
        URLSafeSerializer("testing-secret", salt="other.salt").dumps([1, 1, 0]),
    ],
)
def test_a_forged_token_is_a_clear_404(client, live_session, token):
    preorder(live_session.products[0])
    for path in (f"/rewards/{token}", f"/rewards/{token}/file"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link is not valid." in response.get_data(as_text=True)


def signed_days_ago(order, goal, days: float) -> str:
    """A reward token as the shop would have issued it `days` ago."""

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - days * 24 * 3600)

    return URLSafeTimedSerializer("testing-secret", salt=SALT, signer=Then).dumps(
        [order.id, goal.id, 0]
    )


def test_a_reward_link_older_than_its_days_is_refused_clearly(app, client, live_session):
    order = preorder(live_session.products[0])
    days = app.config["REWARD_LINK_DAYS"]
    goal = live_session.goals[0]
    assert client.get(f"/rewards/{signed_days_ago(order, goal, days - 1)}").status_code == 200
    old = signed_days_ago(order, goal, days + 1)
    for path in (f"/rewards/{old}", f"/rewards/{old}/file"):
        response = client.get(path)
        assert response.status_code == 410
        assert "This link has expired. Open your order page again" in response.get_data(
            as_text=True
        )
    assert client.get(reward_link(client, order)).status_code == 200, "the order page renews it"


def test_a_goal_not_reached_opens_nothing(client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 5, "live_session", "Live")])
    order = preorder(campaign.products[0])
    token = reward_token(order, campaign.goals[0])
    response = client.get(f"/rewards/{token}")
    assert response.status_code == 404
    assert "not unlocked" in response.get_data(as_text=True)


def test_a_refunded_backer_loses_the_reward(client, live_session):
    order = preorder(live_session.products[0])
    link = reward_link(client, order)
    assert client.get(link).status_code == 200
    refund_order(db.session, fresh(order), reason="changed their mind", now=utcnow())
    for path in (link, f"{link}/file"):
        response = client.get(path)
        assert response.status_code == 404
        assert "backers" in response.get_data(as_text=True)
    assert "/rewards/" not in client.get(f"/orders/{order.reference}").get_data(as_text=True)


def test_a_missing_reward_file_is_a_404_not_a_500(client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "live_session", "Live")])
    campaign.goals[0].reward_file = "rewards/never-uploaded.mp4"
    db.session.commit()
    link = reward_link(client, preorder(campaign.products[0]))
    assert client.get(f"{link}/file").status_code == 404


@pytest.fixture
def early(app, make_product, make_release):
    """An early-download campaign over a vinyl with the digital album and a plain vinyl.

    Track 1 is flagged with a file; track 2 is flagged but has no file yet; track 3 is
    not flagged."""
    release = make_release()
    release.tracks[0].early_download = True
    release.tracks[0].file_path = private(app, "early/01.flac", b"fLaC-track-one")
    release.tracks[1].early_download = True
    db.session.commit()
    with_digital = make_product(release=release, name="Vinyl + download")
    with_digital.includes_digital = True
    plain = make_product(release=release, name="Vinyl only")
    db.session.commit()
    return {"with_digital": with_digital, "plain": plain, "release": release}


def early_campaign(make_campaign, early):
    return make_campaign(
        products=[early["with_digital"], early["plain"]],
        goals=[("unlock", 1, "early_download", "Early download")],
    )


def test_early_download_lists_flagged_tracks_with_a_file_and_serves_them(
    client, make_campaign, early
):
    early_campaign(make_campaign, early)
    link = reward_link(client, preorder(early["with_digital"]))
    html = client.get(link).get_data(as_text=True)
    first, second = early["release"].tracks
    assert f'href="{link}/tracks/{first.id}"' in html
    assert f"{link}/tracks/{second.id}" not in html, "flagged but no file yet"
    response = client.get(f"{link}/tracks/{first.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_data() == b"fLaC-track-one"
    response.close()
    assert client.get(f"{link}/tracks/{second.id}").status_code == 404


def test_early_download_of_a_track_not_flagged_is_refused(client, make_campaign, early):
    early["release"].tracks[1].file_path = private(client.application, "early/02.flac", b"x")
    early["release"].tracks[1].early_download = False
    db.session.commit()
    early_campaign(make_campaign, early)
    link = reward_link(client, preorder(early["with_digital"]))
    assert client.get(f"{link}/tracks/{early['release'].tracks[1].id}").status_code == 404


def test_early_download_is_only_for_formats_with_the_digital_album(client, make_campaign, early):
    early_campaign(make_campaign, early)
    link = reward_link(client, preorder(early["plain"]))
    html = client.get(link).get_data(as_text=True)
    assert "formats that include the digital album" in html
    track = early["release"].tracks[0]
    assert client.get(f"{link}/tracks/{track.id}").status_code == 404


def test_a_digital_album_backer_gets_the_early_download(client, make_campaign, make_product):
    digital = make_product(kind="digital")
    track = digital.release.tracks[0]
    track.early_download = True
    track.file_path = private(client.application, "early/d1.wav", b"RIFF....WAVE")
    db.session.commit()
    make_campaign(products=[digital], goals=[("unlock", 1, "early_download", "Early")])
    link = reward_link(client, preorder(digital))
    response = client.get(f"{link}/tracks/{track.id}")
    assert response.get_data() == b"RIFF....WAVE"
    response.close()


def test_reward_pages_and_files_are_never_cached(client, make_campaign, live_session, early):
    session_link = reward_link(client, preorder(live_session.products[0]))
    early_campaign(make_campaign, early)
    early_link = reward_link(client, preorder(early["with_digital"]))
    first = early["release"].tracks[0]
    for url in (session_link, f"{session_link}/file", f"{early_link}/tracks/{first.id}"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
