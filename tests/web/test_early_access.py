"""Early access: members of the chosen tiers preorder before the campaign opens to
everyone; others are refused with the opening time; the release page tells each."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from storefront.extensions import db
from storefront.members.early import set_early_tiers
from storefront.preorders.models import Backing
from tests.conftest import fresh, order_by_reference
from tests.support.accounts import make_fan, sign_in_as
from tests.support.benefits import make_member, make_tier
from tests.support.shop import add_to_cart, checkout, pay_test, reference_of
from tests.support.staff import send


def _early_campaign(make_campaign, hours=48, opens_in=timedelta(hours=24)):
    tier = make_tier("Gold", early_access_hours=hours)
    campaign = make_campaign(opens_in=opens_in)
    set_early_tiers(db.session, campaign, [tier.id])
    db.session.commit()
    return tier, campaign


def test_a_member_preorders_in_the_early_window_and_it_counts(client, make_campaign):
    tier, campaign = _early_campaign(make_campaign)
    fan, _membership = make_member(tier)
    sign_in_as(client, fan)
    product = campaign.products[0]
    page = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    assert "Early access (Gold): open for you since" in page
    assert "Add to cart" in page
    add_to_cart(client, product)
    reference = reference_of(checkout(client, email=fan.email))
    pay_test(client, reference)
    order = order_by_reference(reference)
    assert order.status == "paid"
    backing = db.session.query(Backing).filter_by(order_id=order.id).one()
    assert backing.units == 1  # an early preorder counts towards the goals


def test_a_non_member_is_refused_with_the_opening_time(client, make_campaign):
    _tier, campaign = _early_campaign(make_campaign)
    sign_in_as(client, make_fan("bob@example.org"))
    product = campaign.products[0]
    page = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    assert "members of Gold get in 48 hours early" in page
    assert "Add to cart" not in page
    add_to_cart(client, product)  # a form posted by hand
    response = checkout(client, email="bob@example.org")
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "open to members with early access" in text and "open for everyone on" in text


def test_a_member_outside_their_tier_window_waits(client, make_campaign):
    # Gold gets 48 hours but the campaign opens in 72: not yet open for anyone.
    tier, campaign = _early_campaign(make_campaign, opens_in=timedelta(hours=72))
    fan, _membership = make_member(tier)
    sign_in_as(client, fan)
    page = client.get(f"/releases/{campaign.release.slug}").get_data(as_text=True)
    assert "Early access (Gold): open for you from" in page and "Add to cart" not in page
    add_to_cart(client, campaign.products[0])
    assert checkout(client, email=fan.email).status_code == 409


def test_a_tier_not_chosen_gets_no_early_access(client, make_campaign):
    _tier, campaign = _early_campaign(make_campaign)
    fan, _membership = make_member(make_tier("Silver", early_access_hours=48), "s@example.org")
    sign_in_as(client, fan)
    add_to_cart(client, campaign.products[0])
    assert checkout(client, email=fan.email).status_code == 409


def test_the_guest_page_names_the_tiers(client, make_campaign):
    _tier, campaign = _early_campaign(make_campaign)
    page = client.get(f"/releases/{campaign.release.slug}").get_data(as_text=True)
    assert "Opens " in page and "members of Gold get in 48 hours early" in page


def test_the_admin_chooses_the_tiers_and_the_opening_follows(admin, make_campaign):
    tier = make_tier("Gold", early_access_hours=12)
    campaign = make_campaign(opens_in=timedelta(days=3))
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Gold (12 h)" in page
    data = {
        "opens_at": campaign.opens_at.astimezone(_paris()).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": campaign.closes_at.astimezone(_paris()).strftime("%Y-%m-%dT%H:%M"),
        "ships_on": campaign.ships_on.isoformat(),
        "product_ids": [p.id for p in campaign.products],
        "run_margin_percent": 10,
        "early_tier_ids": [tier.id],
    }
    response = send(admin, f"/admin/campaigns/{campaign.id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = fresh(campaign)
    assert saved.early_opens_at == saved.opens_at - timedelta(hours=12)


def _paris() -> ZoneInfo:
    return ZoneInfo("Europe/Paris")
