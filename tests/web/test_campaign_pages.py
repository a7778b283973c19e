"""The campaign as fans see it on the release page, in the cart and on the order page."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from storefront.extensions import db
from tests.support.campaigns import open_order, preorder
from tests.support.shop import add_to_cart

PRESSING = ("pressing", 2, "none", "Pressing")
LIVE = ("unlock", 5, "live_session", "Live session at Le Sucre")


def page_text(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def release_page(client, campaign) -> str:
    response = client.get(f"/releases/{campaign.release.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_release_page_shows_progress_to_the_next_goal(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING, LIVE])
    preorder(campaign.products[0], quantity=3)
    text = page_text(release_page(client, campaign))
    assert "3 / 5 — 2 to unlock the live session" in text
    assert "Unlocks for every backer: Live session at Le Sucre" in text


def test_release_page_shows_the_deadline_in_paris_time_the_ship_date_and_the_promise(
    client, make_campaign
):
    campaign = make_campaign(goals=[PRESSING, LIVE])
    text = page_text(release_page(client, campaign))
    closes = format_datetime(
        campaign.closes_at, "d MMMM y, HH:mm", tzinfo=ZoneInfo("Europe/Paris"), locale="en"
    )
    assert f"Preorders open until {closes} (Paris time)" in text
    assert f"Ships on {format_date(campaign.ships_on, 'long', locale='en')}" in text
    assert "If the pressing goal is not reached by the deadline, you are refunded in full." in text
    assert "0 / 2 — 2 to confirm the pressing" in text


def test_no_refund_promise_without_a_pressing_goal(client, make_campaign):
    campaign = make_campaign(goals=[LIVE])
    assert "refunded in full" not in release_page(client, campaign)


def test_first_buyers_bonus_shows_what_is_left(client, make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 2)])
    preorder(campaign.products[0])
    assert "Booklet for the first 2 — 1 left" in page_text(release_page(client, campaign))
    preorder(campaign.products[0])
    assert "Booklet for the first 2 — all gone" in page_text(release_page(client, campaign))


def test_reached_goals_are_marked_and_the_last_one_ends_the_bar(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING])
    preorder(campaign.products[0], quantity=2)
    html = release_page(client, campaign)
    assert re.search(r'class="campaign-goal is-reached"[^>]*data-goal-threshold="2"', html)
    assert "2 preorders — every goal reached" in page_text(html)


def test_upcoming_campaign_shows_the_opening_date_instead_of_the_add_button(client, make_campaign):
    campaign = make_campaign(opens_in=timedelta(days=2), goals=[PRESSING])
    html = release_page(client, campaign)
    assert 'action="/cart/add"' not in html
    opens = format_datetime(
        campaign.opens_at, "d MMMM y, HH:mm", tzinfo=ZoneInfo("Europe/Paris"), locale="en"
    )
    assert f"Preorders open on {opens} (Paris time)" in page_text(html)


def test_open_campaign_keeps_the_add_button_and_says_preorder(client, make_campaign):
    campaign = make_campaign()
    html = release_page(client, campaign)
    assert 'action="/cart/add"' in html
    date = format_date(campaign.ships_on, "long", locale="en")
    assert f"Preorder — ships on {date}" in page_text(html)


def test_failed_campaign_has_no_add_button_and_says_everyone_was_refunded(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING])
    campaign.outcome = "failed"
    db.session.commit()
    html = release_page(client, campaign)
    assert 'action="/cart/add"' not in html
    assert "Pressing goal missed: every backer was refunded" in html
    assert "refunded in full" not in html


def test_succeeded_campaign_confirms_the_pressing(client, make_campaign):
    campaign = make_campaign(goals=[PRESSING])
    campaign.outcome = "succeeded"
    db.session.commit()
    html = release_page(client, campaign)
    assert "Pressing confirmed" in html
    assert 'action="/cart/add"' in html


def test_the_block_names_its_api_and_the_script_is_served(client, make_campaign):
    campaign = make_campaign(goals=[LIVE])
    html = release_page(client, campaign)
    slug = campaign.release.slug
    assert f'data-campaign-api="/api/v1/releases/{slug}/campaign"' in html
    assert 'src="/static/js/campaign.js"' in html
    assert "<script>" not in html, "no inline script: CSP script-src 'self'"
    assert " style=" not in html, "no inline style: CSP style-src 'self'"
    script = client.get("/static/js/campaign.js")
    assert script.status_code == 200
    assert b"data-campaign-api" in script.data
    script.close()


def test_release_without_campaign_has_no_block_and_no_script(client, make_product):
    product = make_product()
    html = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    assert "data-campaign-api" not in html
    assert "campaign.js" not in html


def test_cart_says_when_a_preorder_ships(client, make_campaign):
    campaign = make_campaign()
    add_to_cart(client, campaign.products[0])
    text = page_text(client.get("/cart").get_data(as_text=True))
    assert f"Preorder — ships on {format_date(campaign.ships_on, 'long', locale='en')}" in text


def test_cart_says_nothing_of_preorders_for_a_regular_product(client, make_product):
    product = make_product()
    add_to_cart(client, product)
    assert "Preorder" not in client.get("/cart").get_data(as_text=True)


def test_order_page_numbers_the_first_buyers_bonus_and_tells_the_others(client, make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 2)])
    orders = [preorder(campaign.products[0]) for _ in range(3)]
    first = page_text(client.get(f"/orders/{orders[0].reference}").get_data(as_text=True))
    assert "Booklet: yes, No. 1/2" in first
    assert "ships on" in first
    third = page_text(client.get(f"/orders/{orders[2].reference}").get_data(as_text=True))
    assert "Booklet: no (the first 2 are gone)" in third


def test_order_page_links_unlocked_rewards_and_lists_locked_ones(client, make_campaign):
    campaign = make_campaign(
        goals=[("unlock", 1, "bonus_track", "Bonus track"), ("unlock", 9, "live_session", "Live")]
    )
    order = preorder(campaign.products[0])
    html = client.get(f"/orders/{order.reference}").get_data(as_text=True)
    assert re.search(r'<a href="/rewards/[\w.-]+">Bonus track</a>', html)
    assert "Live — locked — unlocks at 9 preorders" in page_text(html)


def test_an_unpaid_preorder_has_no_rewards_yet(client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "bonus_track", "Bonus track")])
    preorder(campaign.products[0], email="other@example.org")
    order = open_order(campaign.products[0])
    html = client.get(f"/orders/{order.reference}").get_data(as_text=True)
    assert "/rewards/" not in html
    assert "counts towards the goals once it is paid" in html
