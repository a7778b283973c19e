"""The public campaign JSON and the embeddable widget: same figures, any origin, no cookies."""

import re
from datetime import UTC, datetime, timedelta

from storefront.extensions import db
from tests.conftest import fresh
from tests.support.campaigns import open_order, preorder
from tests.support.shop import add_to_cart

PRESSING = ("pressing", 2, "none", "Pressing")
LIVE = ("unlock", 3, "live_session", "Live session at Le Sucre")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def campaign_json(client, slug):
    response = client.get(f"/api/v1/releases/{slug}/campaign")
    assert response.status_code == 200
    return response


def test_json_has_the_campaign_shape(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING, LIVE])
    data = campaign_json(client, campaign.release.slug).json
    assert data == {
        "release": campaign.release.slug,
        "state": "open",
        "paid_units": 0,
        "goals": [
            {"kind": "pressing", "threshold": 2, "reward_title": "Pressing", "reached_at": None},
            {
                "kind": "unlock",
                "threshold": 3,
                "reward_title": "Live session at Le Sucre",
                "reached_at": None,
            },
        ],
        "opens_at": campaign.opens_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "closes_at": campaign.closes_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ships_on": campaign.ships_on.isoformat(),
        "next_goal": {
            "kind": "pressing",
            "threshold": 2,
            "reward_title": "Pressing",
            "reached_at": None,
        },
        "remaining": 2,
        "insert_pools": [],
    }


def test_only_paid_units_count_and_reached_goals_get_a_time(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING, LIVE])
    vinyl = campaign.products[0]
    open_order(vinyl, quantity=2, email="pending@example.org")
    data = campaign_json(client, campaign.release.slug).json
    assert (data["paid_units"], data["remaining"]) == (0, 2), "a pending order does not count"

    preorder(vinyl, quantity=2)
    data = campaign_json(client, campaign.release.slug).json
    assert data["paid_units"] == 2
    reached = data["goals"][0]["reached_at"]
    assert ISO_UTC.match(reached)
    stored = fresh(campaign.goals[0]).reached_at
    assert abs(datetime.strptime(reached, "%Y-%m-%dT%H:%M:%S%z") - stored) < timedelta(seconds=1)
    assert data["goals"][1]["reached_at"] is None
    assert (data["next_goal"]["threshold"], data["remaining"]) == (3, 1)


def test_every_goal_reached_leaves_no_next_goal(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING])
    preorder(campaign.products[0], quantity=3)
    data = campaign_json(client, campaign.release.slug).json
    assert (data["paid_units"], data["next_goal"], data["remaining"]) == (3, None, 0)


def test_states_upcoming_and_failed(client, make_campaign):
    upcoming = make_campaign(opens_in=timedelta(days=1), goals=[PRESSING])
    assert campaign_json(client, upcoming.release.slug).json["state"] == "upcoming"
    failed = make_campaign(goals=[PRESSING])
    failed.outcome = "failed"
    db.session.commit()
    data = campaign_json(client, failed.release.slug).json
    assert (data["state"], data["next_goal"]) == ("failed", None)


def test_unknown_release_or_release_without_campaign_is_a_json_404(client, make_product):
    for slug in ("no-such-release", make_product().release.slug):
        response = client.get(f"/api/v1/releases/{slug}/campaign")
        assert response.status_code == 404
        assert response.json["error"] == "not_found"
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_any_origin_may_read_it_and_no_cookie_is_set(client, make_campaign):
    campaign = make_campaign()
    add_to_cart(client, campaign.products[0])  # the visitor has a session cookie
    response = client.get(
        f"/api/v1/releases/{campaign.release.slug}/campaign",
        headers={"Origin": "https://band.example"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_widget_shows_the_same_progress_as_the_json(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING, LIVE])
    preorder(campaign.products[0], quantity=2)
    response = client.get(f"/widget/{campaign.release.slug}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers, "a first visit gets no session either"
    text = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    assert "2 / 3 — 1 to unlock the live session" in text
    html = response.get_data(as_text=True)
    assert f'href="/releases/{campaign.release.slug}" target="_blank" rel="noopener"' in html
    assert "Preorder on Bruit Blanc" in html
    assert "csrf_token" not in html and "<form" not in html


def test_widget_can_be_framed_and_sets_no_cookie(client, make_campaign):
    campaign = make_campaign()
    add_to_cart(client, campaign.products[0])  # even a visitor with a session gets none back
    response = client.get(f"/widget/{campaign.release.slug}")
    assert "Set-Cookie" not in response.headers
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "frame-ancestors 'none'" not in csp
    assert "script-src 'self'" in csp


def test_widget_of_an_unknown_release_is_a_404_without_cookie(client):
    response = client.get("/widget/nowhere")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_widget_language_comes_from_the_query_or_the_browser_never_the_session(
    client, post_form, make_campaign
):
    slug = make_campaign().release.slug
    post_form("/lang", {"lang": "fr", "next": "/"})  # the session says French...
    assert '<html lang="en">' in client.get(f"/widget/{slug}").get_data(as_text=True)
    assert '<html lang="fr">' in client.get(f"/widget/{slug}?lang=fr").get_data(as_text=True)
    french_browser = client.get(f"/widget/{slug}", headers={"Accept-Language": "fr-FR,fr"})
    assert '<html lang="fr">' in french_browser.get_data(as_text=True)


def test_other_pages_still_refuse_to_be_framed(client, make_campaign):
    campaign = make_campaign()
    for path in ("/", f"/releases/{campaign.release.slug}", "/cart"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_json_times_are_utc(client, make_campaign):
    campaign = make_campaign()
    opens = client.get(f"/api/v1/releases/{campaign.release.slug}/campaign").json["opens_at"]
    parsed = datetime.strptime(opens, "%Y-%m-%dT%H:%M:%S%z")
    assert parsed.utcoffset() == UTC.utcoffset(None)
    assert abs(parsed - campaign.opens_at) < timedelta(seconds=1)
