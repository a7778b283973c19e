"""The label's campaign screens: campaigns, goals and rewards, bonuses, live figures,
closing by hand, who may do what; early downloads on tracks, digital on products."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront.errors import PaymentError
from storefront.extensions import db
from storefront.payments.testpay import TestPaymentProvider
from storefront.preorders.models import Campaign
from tests.conftest import fresh, order_by_reference
from tests.support.campaigns import open_order, preorder
from tests.support.staff import send
from tests.web.test_admin import product_data
from tests.web.test_admin_uploads import add_track, files_in, upload, wav_bytes

MP4_BYTES = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 40


def campaign_data(release, **fields) -> dict:
    data = {"opens_at": "2030-03-01T10:00", "closes_at": "2030-03-31T23:30"}
    data |= {"ships_on": "2030-05-15", "per_fan_limit": "", "run_margin_percent": "10"}
    return {**data, "product_ids": [str(p.id) for p in release.products], **fields}


def goal_data(**fields) -> dict:
    data = {"kind": "unlock", "threshold": "100", "reward_title": "Live session"}
    data |= {"reward_kind": "none", "reward_description": "", "embed_url": "", "reward_date": ""}
    return {f"goal-{key}": value for key, value in {**data, **fields}.items()}


def bonus_data(**fields) -> dict:
    data = {"title": "Booklet", "size": "50", **fields}
    return {f"bonus-{key}": value for key, value in data.items()}


def create_campaign(admin, release, **fields):
    url = f"/admin/campaigns/new?release_id={release.id}"
    return send(admin, url, campaign_data(release, **fields))


def add_goal(admin, campaign, **fields):
    url, page = f"/admin/campaigns/{campaign.id}/goals", f"/admin/campaigns/{campaign.id}"
    data = goal_data(**fields)
    return send(admin, url, data, page=page, prefix="goal-", content_type="multipart/form-data")


def add_bonus(admin, campaign, **fields):
    url, page = f"/admin/campaigns/{campaign.id}/bonuses", f"/admin/campaigns/{campaign.id}"
    return send(admin, url, bonus_data(**fields), page=page, prefix="bonus-")


def campaigns_of(release) -> list[Campaign]:
    db.session.expire_all()
    return list(db.session.scalars(select(Campaign).where(Campaign.release_id == release.id)))


def refused(response, message: str) -> None:
    """The form came back (422) saying `message`."""
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def text_of(response) -> str:
    """The page's text with tags and runs of white space removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def close(campaign) -> None:
    """Mark a campaign closed without going through the closing job."""
    campaign.outcome, campaign.closed_at, campaign.suggested_run = "succeeded", datetime.now(UTC), 1
    db.session.commit()


# --- campaigns ------------------------------------------------------------------------


def test_admin_creates_a_campaign_in_paris_time(admin, make_product):
    vinyl = make_product(stock=300)
    make_product(release=vinyl.release, kind="cd", name="CD")
    response = create_campaign(admin, vinyl.release, product_ids=[str(vinyl.id)], per_fan_limit="2")
    (campaign,) = campaigns_of(vinyl.release)
    assert response.headers["Location"].endswith(f"/admin/campaigns/{campaign.id}")
    # 10:00 in Paris in winter is 09:00 UTC; 23:30 on 31 March 2030 (summer time) is 21:30.
    assert campaign.opens_at == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    assert campaign.closes_at == datetime(2030, 3, 31, 21, 30, tzinfo=UTC)
    assert [p.id for p in campaign.products] == [vinyl.id]
    assert (campaign.per_fan_limit, campaign.run_margin_percent) == (2, 10)
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'value="2030-03-01T10:00"' in page  # shown back in Paris time


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"closes_at": "2030-02-01T10:00"}, "The campaign must close after it opens."),
        ({"ships_on": "2030-03-20"}, "The ship date must come after the close"),
        # The close is on 1 April in Paris, still 31 March in UTC: Paris decides.
        ({"closes_at": "2030-04-01T00:30", "ships_on": "2030-04-01"}, "must come after the close"),
        ({"product_ids": []}, "Choose at least one product the campaign covers."),
        ({"per_fan_limit": "0"}, "A limit per fan is at least 1 unit"),
        ({"opens_at": "next week"}, "Write the date and time as YYYY-MM-DD HH:MM"),
    ],
)
def test_a_refused_campaign_comes_back_with_a_clear_message(admin, make_product, fields, message):
    release = make_product().release
    response = create_campaign(admin, release, **fields)
    refused(response, message)
    assert campaigns_of(release) == []


def test_a_product_is_in_one_running_campaign_at_a_time(admin, make_campaign):
    campaign = make_campaign()
    release = campaign.release
    now = datetime.now(UTC) + timedelta(hours=2)  # inside the existing window
    response = create_campaign(admin, release, opens_at=now.strftime("%Y-%m-%dT%H:%M"))
    refused(response, "is already in another campaign at that time")


def test_a_campaign_is_edited_until_it_is_closed(admin, make_campaign):
    campaign = make_campaign()
    url = f"/admin/campaigns/{campaign.id}"
    assert send(admin, url, campaign_data(campaign.release, per_fan_limit="3")).status_code == 302
    assert fresh(campaign).per_fan_limit == 3
    close(fresh(campaign))
    response = send(admin, url, campaign_data(campaign.release, per_fan_limit="5"))
    assert response.status_code == 422
    assert "This campaign is closed: it can no longer be changed." in response.get_data(
        as_text=True
    )
    assert fresh(campaign).per_fan_limit == 3


def test_the_release_page_links_to_its_campaigns(admin, make_campaign):
    campaign = make_campaign()
    page = admin.get(f"/admin/releases/{campaign.release_id}").get_data(as_text=True)
    assert f'href="/admin/campaigns/{campaign.id}"' in page
    assert f'href="/admin/campaigns/new?release_id={campaign.release_id}"' in page
    assert 'href="/admin/campaigns"' in page  # the menu entry
    assert admin.get("/admin/campaigns/new").status_code == 404  # which release?


# --- goals and rewards ----------------------------------------------------------------


def test_goals_are_added_edited_and_removed(admin, make_campaign):
    campaign = make_campaign()
    assert add_goal(admin, campaign, kind="pressing", threshold="300").status_code == 302
    assert add_goal(admin, campaign, threshold="300", reward_title="Booklet PDF").status_code == 302
    pressing, unlock = fresh(campaign).goals
    assert (pressing.kind, unlock.kind, unlock.threshold) == ("pressing", "unlock", 300)
    url = f"/admin/goals/{unlock.id}"
    edited = goal_data(threshold="400", reward_title="Booklet", reward_kind="early_download")
    assert send(admin, url, edited, prefix="goal-").status_code == 302
    assert (fresh(unlock).threshold, fresh(unlock).reward_kind) == (400, "early_download")
    page = f"/admin/campaigns/{campaign.id}"
    assert send(admin, f"{url}/delete", {}, page=page).status_code == 302
    assert [goal.threshold for goal in fresh(campaign).goals] == [300]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"threshold": "0"}, "A threshold is a number of paid units: 1 or more."),
        ({"threshold": "-5"}, "A threshold is a number of paid units: 1 or more."),
        ({"threshold": "200"}, "A goal of this kind is already at 200 units."),
        ({"reward_kind": "live_session"}, "needs its file or an embed link"),
        ({"reward_kind": "bonus_track"}, "needs its file or an embed link"),
        (
            {"reward_kind": "live_session", "embed_url": "http://vimeo.com/1"},
            "The link must be a full https:// address",
        ),
        ({"embed_url": "javascript:alert(1)"}, "The link must be a full https:// address"),
    ],
)
def test_a_refused_goal_comes_back_with_a_clear_message(admin, make_campaign, fields, message):
    campaign = make_campaign(goals=[("unlock", 200, "none", "Poster")])
    response = add_goal(admin, campaign, **fields)
    refused(response, message)
    assert len(fresh(campaign).goals) == 1


def test_a_reward_file_is_stored_privately(admin, app, make_campaign):
    campaign = make_campaign()
    media_before = files_in(Path(app.config["MEDIA_DIR"]))
    response = add_goal(
        admin,
        campaign,
        reward_kind="live_session",
        media_file=upload(wav_bytes(), "session.wav"),
        reward_date="2030-06-21T21:00",
    )
    assert response.status_code == 302
    (goal,) = fresh(campaign).goals
    assert goal.reward_file.startswith("rewards/") and goal.reward_file.endswith(".wav")
    assert (Path(app.config["PRIVATE_DIR"]) / goal.reward_file).read_bytes() == wav_bytes()
    assert files_in(Path(app.config["MEDIA_DIR"])) == media_before
    assert admin.get(f"/media/{goal.reward_file}").status_code == 404
    assert goal.reward_date == datetime(2030, 6, 21, 19, 0, tzinfo=UTC)  # 21:00 in Paris


def test_a_reward_video_is_judged_by_its_bytes(admin, app, make_campaign):
    campaign = make_campaign()
    rewards = Path(app.config["PRIVATE_DIR"]) / "rewards"
    before = files_in(rewards)
    fake = add_goal(
        admin, campaign, reward_kind="bonus_track", media_file=upload(b"x" * 64, "a.mp4")
    )
    refused(fake, "Upload a video (MP4, WebM) or an audio file")
    assert files_in(rewards) == before
    real = add_goal(
        admin, campaign, reward_kind="bonus_track", media_file=upload(MP4_BYTES, "a.mp4")
    )
    assert real.status_code == 302
    assert fresh(campaign).goals[0].reward_file.endswith(".mp4")


def test_an_embed_link_or_a_file_not_both(admin, app, make_campaign):
    campaign = make_campaign()
    rewards = Path(app.config["PRIVATE_DIR"]) / "rewards"
    link = "https://player.vimeo.com/video/123"
    assert add_goal(admin, campaign, reward_kind="live_session", embed_url=link).status_code == 302
    (goal,) = fresh(campaign).goals
    assert (goal.reward_embed_url, goal.reward_file) == (link, None)
    before = files_in(rewards)
    url = f"/admin/goals/{goal.id}"
    both = goal_data(reward_kind="live_session", embed_url=link)
    both["goal-media_file"] = upload(wav_bytes(), "session.wav")
    response = send(admin, url, both, prefix="goal-", content_type="multipart/form-data")
    refused(response, "not both")
    assert files_in(rewards) == before  # the refused upload is not kept
    only_file = {**both, "goal-embed_url": "", "goal-media_file": upload(wav_bytes(), "s.wav")}
    response = send(admin, url, only_file, prefix="goal-", content_type="multipart/form-data")
    assert response.status_code == 302
    goal = fresh(goal)
    assert goal.reward_embed_url is None and goal.reward_file.startswith("rewards/")


def test_a_reached_goal_keeps_its_threshold_and_stays(admin, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "none", "Poster")])
    preorder(campaign.products[0])
    (goal,) = fresh(campaign).goals
    assert goal.reached_at is not None
    url = f"/admin/goals/{goal.id}"
    response = send(admin, url, goal_data(threshold="5", reward_title="Poster"), prefix="goal-")
    refused(response, "only its reward can change")
    renamed = goal_data(threshold="1", reward_title="Signed poster")
    assert send(admin, url, renamed, prefix="goal-").status_code == 302
    page = f"/admin/campaigns/{campaign.id}"
    response = send(admin, f"{url}/delete", {}, page=page, follow_redirects=True)
    assert "backers hold its reward" in response.get_data(as_text=True)
    assert fresh(goal).reward_title == "Signed poster"


# --- bonuses --------------------------------------------------------------------------


def test_bonuses_are_added_edited_and_removed(admin, make_campaign):
    campaign = make_campaign()
    assert add_bonus(admin, campaign).status_code == 302
    (bonus,) = fresh(campaign).bonuses
    edited = bonus_data(title="Numbered poster", size="40")
    assert send(admin, f"/admin/bonuses/{bonus.id}", edited, prefix="bonus-").status_code == 302
    assert (fresh(bonus).title, fresh(bonus).size) == ("Numbered poster", 40)
    page = f"/admin/campaigns/{campaign.id}"
    assert send(admin, f"/admin/bonuses/{bonus.id}/delete", {}, page=page).status_code == 302
    assert fresh(campaign).bonuses == []


def test_a_bonus_size_is_positive_and_not_below_what_went_out(admin, make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 5)])
    response = add_bonus(admin, campaign, size="0")
    refused(response, "A bonus goes to at least the first paid preorder")
    for n in range(2):
        preorder(campaign.products[0], email=f"fan{n}@example.org")
    (bonus,) = fresh(campaign).bonuses
    url = f"/admin/bonuses/{bonus.id}"
    response = send(admin, url, bonus_data(size="1"), prefix="bonus-")
    assert "Numbers handed out already: 2." in response.get_data(as_text=True)
    assert fresh(bonus).size == 5


def test_bonuses_and_goals_cannot_change_once_closed(admin, make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 5)])
    close(campaign)
    for response in (add_bonus(admin, campaign), add_goal(admin, campaign)):
        refused(response, "This campaign is closed")
    (bonus,) = fresh(campaign).bonuses
    response = send(admin, f"/admin/bonuses/{bonus.id}", bonus_data(size="9"), prefix="bonus-")
    assert response.status_code == 422
    assert fresh(bonus).size == 5 and fresh(campaign).goals == []


# --- live figures and closing ---------------------------------------------------------

GOALS = [("pressing", 2, "none", "Pressing"), ("unlock", 1, "live_session", "Live session")]


def test_live_figures_are_shown(admin, make_campaign):
    campaign = make_campaign(goals=GOALS, bonuses=[("Booklet", 10)], margin=10)
    vinyl = campaign.products[0]
    preorder(vinyl, email="a@example.org")
    open_order(vinyl, quantity=3, email="b@example.org")  # reserved, not counted
    page = admin.get(f"/admin/campaigns/{campaign.id}")
    html, text = page.get_data(as_text=True), text_of(page)
    assert re.search(r'class="figure-paid">\s*1\s*<', html)
    assert re.search(r'class="figure-reserved">\s*3\b', html)
    assert "Pressing: 1 / 2 — 1 to go" in text
    assert "not yet" in text  # the pressing goal
    assert text.count("not yet") == 1  # the unlock is reached, with its date
    assert "1 / 10" in text  # booklets handed out
    assert "2 copies if it closed now" in text  # ceil(1 * 1.1)
    listing = text_of(admin.get("/admin/campaigns"))
    assert campaign.release.title in listing and "Open" in listing


def test_closing_by_hand_confirms_the_pressing(admin, make_campaign):
    campaign = make_campaign(goals=GOALS, margin=10)
    for n in range(2):
        preorder(campaign.products[0], email=f"fan{n}@example.org", quantity=2)
    url = f"/admin/campaigns/{campaign.id}/close"
    warning = text_of(admin.get(url))
    assert "closing confirms the pressing, with a suggested run of 5 copies" in warning
    response = send(admin, url, {}, follow_redirects=True)
    text = text_of(response)
    assert "Suggested run: 5 copies." in text  # ceil(4 * 1.1)
    assert "5 copies (pressing confirmed" in text
    campaign = fresh(campaign)
    assert (campaign.outcome, campaign.suggested_run) == ("succeeded", 5)
    again = send(admin, url, {}, page=f"/admin/campaigns/{campaign.id}", follow_redirects=True)
    assert "This campaign is already closed." in again.get_data(as_text=True)


def test_closing_by_hand_below_the_pressing_goal_refunds_everyone(admin, make_campaign):
    campaign = make_campaign(goals=[("pressing", 10, "none", "Pressing")])
    orders = [preorder(campaign.products[0], email=f"fan{n}@example.org") for n in range(2)]
    url = f"/admin/campaigns/{campaign.id}/close"
    assert "refunds all 2 backers in full" in text_of(admin.get(url))
    text = text_of(send(admin, url, {}, follow_redirects=True))
    assert "Orders refunded: 2; refunds failed: 0" in text
    assert "2 refunded, 0 not refunded yet" in text
    assert fresh(campaign).outcome == "failed"
    assert [order_by_reference(o.reference).status for o in orders] == ["refunded", "refunded"]


def test_refunds_that_fail_are_counted(admin, make_campaign, monkeypatch):
    campaign = make_campaign(goals=[("pressing", 10, "none", "Pressing")])
    orders = [preorder(campaign.products[0], email=f"fan{n}@example.org") for n in range(2)]
    refund = TestPaymentProvider.refund

    def flaky(self, order, **kwargs):
        if order.reference == orders[0].reference:
            raise PaymentError("the bank is asleep")
        return refund(self, order, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "refund", flaky)
    url = f"/admin/campaigns/{campaign.id}/close"
    text = text_of(send(admin, url, {}, follow_redirects=True))
    assert "Orders refunded: 1; refunds failed: 1" in text
    assert "1 refunded, 1 not refunded yet" in text
    statuses = [order_by_reference(o.reference).status for o in orders]
    assert statuses == ["paid", "refunded"]


# --- staff ----------------------------------------------------------------------------


def test_staff_can_read_campaigns_but_not_change_or_close_them(staff, make_campaign):
    campaign = make_campaign(goals=GOALS, bonuses=[("Booklet", 10)])
    page = f"/admin/campaigns/{campaign.id}"
    assert staff.get("/admin/campaigns").status_code == 200
    detail = staff.get(page)
    assert detail.status_code == 200 and "Add a goal" not in detail.get_data(as_text=True)
    assert "Close now" not in detail.get_data(as_text=True)
    (goal, _), (bonus,) = fresh(campaign).goals, fresh(campaign).bonuses
    for url in (f"/admin/campaigns/new?release_id={campaign.release_id}", f"{page}/close"):
        assert staff.get(url).status_code == 403
    posts = [
        (page, campaign_data(campaign.release, per_fan_limit="1")),
        (f"{page}/close", {}),
        (f"{page}/goals", goal_data()),
        (f"{page}/bonuses", bonus_data()),
        (f"/admin/goals/{goal.id}/delete", {}),
        (f"/admin/bonuses/{bonus.id}/delete", {}),
    ]
    for url, data in posts:
        assert send(staff, url, data, page=page).status_code == 403
    campaign = fresh(campaign)
    assert campaign.outcome is None and campaign.per_fan_limit is None
    assert (len(campaign.goals), len(campaign.bonuses)) == (2, 1)


# --- tracks and products --------------------------------------------------------------


def test_a_track_for_early_download_keeps_its_full_file_private(admin, app, make_release):
    release = make_release()
    media_before = files_in(Path(app.config["MEDIA_DIR"]))
    full = upload(wav_bytes(), "full.wav")
    assert add_track(admin, release, early_download="y", full_file=full).status_code == 302
    track = fresh(release).tracks[-1]
    assert track.early_download and track.file_path.startswith("tracks/")
    assert (Path(app.config["PRIVATE_DIR"]) / track.file_path).read_bytes() == wav_bytes()
    assert files_in(Path(app.config["MEDIA_DIR"])) == media_before
    assert admin.get(f"/media/{track.file_path}").status_code == 404


def test_an_early_download_needs_its_full_file(admin, make_release):
    release = make_release()
    response = add_track(admin, release, early_download="y")
    refused(response, "Upload the full-length file backers will download early.")
    bad = add_track(admin, release, early_download="y", full_file=upload(b"words", "full.wav"))
    assert bad.status_code == 422
    assert len(fresh(release).tracks) == 2


def test_a_physical_product_can_come_with_the_digital_album(admin, make_release):
    release = make_release()
    url = f"/admin/releases/{release.id}/products/new"
    data = product_data(includes_digital="y")
    assert send(admin, url, data, content_type="multipart/form-data").status_code == 302
    (product,) = fresh(release).products
    assert product.includes_digital and product.gives_digital
    edit = f"/admin/products/{product.id}"
    checkbox = re.search(r'<input[^>]*name="includes_digital"[^>]*>', admin.get(edit).text)
    assert checkbox and "checked" in checkbox.group(0)
    response = send(admin, edit, product_data(product), content_type="multipart/form-data")
    assert response.status_code == 302
    assert not fresh(product).includes_digital
