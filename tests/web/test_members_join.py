"""Joining a tier: the sign-in it needs, the seat it takes, the Stripe Checkout Session it
opens (subscription mode), the TEST billing page, the manage button and the /account panel."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.models import Membership, MembershipState, Tier
from storefront.members.services import expire_memberships
from tests.conftest import csrf_token_from, fresh
from tests.support.accounts import make_fan, sign_in_as

TEST_LINK = re.compile(r"/members/test/(test_cs_[\w-]+)")


def make_tier(**fields) -> Tier:
    tier = Tier(
        slug=fields.pop("slug", "supporter"),
        name=fields.pop("name", "Supporter"),
        monthly_cents=fields.pop("monthly_cents", 450),
        yearly_cents=fields.pop("yearly_cents", 4500),
        discount_percent=fields.pop("discount_percent", 10),
        **fields,
    )
    db.session.add(tier)
    db.session.commit()
    return tier


def join(client, tier: Tier, **data):
    token = csrf_token_from(client.get("/members").get_data(as_text=True))
    form = {"csrf_token": token, "interval": "month", **data}
    return client.post(f"/members/{tier.slug}/join", data=form)


def membership_of(fan) -> Membership | None:
    db.session.expire_all()
    query = select(Membership).where(Membership.fan_id == fan.id).order_by(Membership.id.desc())
    return db.session.scalars(query).first()


def press(client, token: str, action: str):
    page = client.get(f"/members/test/{token}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "action": action}
    return client.post(f"/members/test/{token}", data=data)


def test_the_members_page_shows_prices_benefits_and_sold_out(client):
    make_tier(early_access_hours=48, free_digital=True, member_cap=2)
    make_tier(slug="patron", name="Patron", monthly_cents=1200, member_cap=1, members=1)
    make_tier(slug="hidden", name="Old tier", active=False)
    page = client.get("/members").get_data(as_text=True)
    assert "Supporter" in page and "Patron" in page and "Old tier" not in page
    assert "€4.50" in page and "€45.00" in page
    assert "10% off records and merch" in page
    assert "Preorders open to you 48 hours before everyone else" in page
    assert "Every new digital release, free" in page
    assert "2 seats left" in page
    assert page.count("Sold out") == 1  # the Patron tier


def test_joining_needs_a_signed_in_fan(client):
    tier = make_tier()
    reply = join(client, tier)
    assert reply.status_code == 302
    assert reply.location == "/account/sign-in?next=/members"
    assert fresh(tier).members == 0


def test_a_fan_joins_with_the_test_provider_and_signs_up_on_the_test_page(client):
    tier = make_tier(liner_notes=True)
    fan = make_fan()
    sign_in_as(client, fan)
    reply = join(client, tier, liner_name="Ana B.")
    token = TEST_LINK.search(reply.location)[1]
    membership = membership_of(fan)
    assert (membership.state, membership.holds_seat, membership.liner_name) == (
        MembershipState.PENDING,
        True,
        "Ana B.",
    )
    assert fresh(tier).members == 1
    page = client.get(f"/members/test/{token}").get_data(as_text=True)
    assert "TEST" in page and "no money moves" in page
    press(client, token, "sign_up")
    assert membership_of(fan).state == MembershipState.ACTIVE


def test_the_test_page_drives_sign_up_renewal_failure_recovery_and_cancellation(client):
    tier = make_tier()
    fan = make_fan()
    sign_in_as(client, fan)
    token = TEST_LINK.search(join(client, tier).location)[1]
    grace = timedelta(days=7)

    press(client, token, "sign_up")
    first_end = membership_of(fan).current_period_end
    press(client, token, "renew")
    renewed = membership_of(fan)
    assert renewed.state == MembershipState.ACTIVE
    assert renewed.current_period_end == first_end + timedelta(days=30)

    press(client, token, "fail")
    failing = membership_of(fan)
    assert failing.state == MembershipState.PAST_DUE
    assert failing.keeps_benefits(utcnow(), grace)
    assert not failing.keeps_benefits(failing.past_due_since + grace, grace)

    press(client, token, "recover")
    assert membership_of(fan).state == MembershipState.ACTIVE

    press(client, token, "cancel")
    canceled = membership_of(fan)
    assert (canceled.state, canceled.cancel_at_period_end) == (MembershipState.CANCELED, True)
    assert canceled.keeps_benefits(utcnow(), grace)
    assert "Renews" not in client.get("/members").get_data(as_text=True)

    press(client, token, "end")
    ended = membership_of(fan)
    assert (ended.state, ended.holds_seat) == (MembershipState.ENDED, False)
    assert fresh(tier).members == 0


def test_a_button_the_state_does_not_offer_changes_nothing(client):
    fan = make_fan()
    sign_in_as(client, fan)
    token = TEST_LINK.search(join(client, make_tier()).location)[1]
    press(client, token, "recover")  # nothing to recover from: still waiting for sign-up
    assert membership_of(fan).state == MembershipState.PENDING


def test_a_fan_holding_a_membership_cannot_join_twice(client):
    tier, other = make_tier(), make_tier(slug="patron", name="Patron")
    fan = make_fan()
    sign_in_as(client, fan)
    join(client, tier)
    reply = join(client, other)
    assert reply.status_code == 409
    assert "waiting for its payment" in reply.get_data(as_text=True)
    assert (fresh(tier).members, fresh(other).members) == (1, 0)


def test_an_abandoned_test_checkout_gives_its_seat_back_once(client, app):
    tier = make_tier(member_cap=1)
    fan = make_fan()
    sign_in_as(client, fan)
    join(client, tier)
    assert "Sold out" in client.get("/members").get_data(as_text=True)
    lifetime = timedelta(minutes=app.config["MEMBERSHIP_CHECKOUT_MINUTES"])
    later = utcnow() + lifetime + timedelta(minutes=1)
    options = {"checkout_lifetime": lifetime, "test_provider": "test"}
    assert expire_memberships(db.session, now=later, **options) == {"ended": 0, "abandoned": 1}
    assert expire_memberships(db.session, now=later, **options) == {"ended": 0, "abandoned": 0}
    assert fresh(tier).members == 0
    assert membership_of(fan).state == MembershipState.ENDED


def test_the_stripe_checkout_is_a_subscription_for_the_tiers_price(client, stripe_http):
    tier = make_tier(stripe_monthly_price="price_month1", stripe_yearly_price="price_year1")
    fan = make_fan("ana@example.org")
    sign_in_as(client, fan)
    stripe_http.queue(
        {"id": "cs_sub_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/1"}
    )
    reply = join(client, tier, interval="year")
    assert reply.location == "https://checkout.stripe.com/c/1"
    [request] = stripe_http.requests
    membership = membership_of(fan)
    form = request.form
    assert (request.method, request.path) == ("post", "/v1/checkout/sessions")
    assert form["mode"] == "subscription"
    assert form["line_items[0][price]"] == "price_year1"
    assert form["line_items[0][quantity]"] == "1"
    assert form["client_reference_id"] == f"membership-{membership.id}"
    assert form["metadata[membership_id]"] == str(membership.id)
    assert form["subscription_data[metadata][membership_id]"] == str(membership.id)
    assert form["customer_email"] == "ana@example.org"
    assert form["success_url"].endswith("/members/welcome")
    assert (membership.provider, membership.checkout_id) == ("stripe", "cs_sub_1")


def test_a_tier_without_a_stripe_price_gives_the_seat_back(client, stripe_http):
    tier = make_tier()
    fan = make_fan()
    sign_in_as(client, fan)
    reply = join(client, tier)
    assert reply.location == "/members"
    assert stripe_http.requests == []
    assert fresh(tier).members == 0
    assert membership_of(fan).state == MembershipState.ENDED


def test_manage_opens_the_stripe_billing_portal(client, stripe_http):
    tier = make_tier()
    fan = make_fan()
    db.session.add(
        Membership(
            fan_id=fan.id,
            tier_id=tier.id,
            provider="stripe",
            state=MembershipState.ACTIVE,
            customer_id="cus_9",
            subscription_id="sub_9",
            current_period_end=utcnow() + timedelta(days=20),
        )
    )
    db.session.commit()
    sign_in_as(client, fan)
    stripe_http.queue(
        {"id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.com/p/1"}
    )
    page = client.get("/members").get_data(as_text=True)
    assert "Next renewal" in page
    reply = client.post("/members/manage", data={"csrf_token": csrf_token_from(page)})
    assert reply.location == "https://billing.stripe.com/p/1"
    [request] = stripe_http.requests
    assert (request.path, request.form["customer"]) == ("/v1/billing_portal/sessions", "cus_9")


def test_the_account_panel_shows_the_membership_or_offers_to_join(client):
    fan = make_fan()
    sign_in_as(client, fan)
    assert "/members" in client.get("/account").get_data(as_text=True)
    token = TEST_LINK.search(join(client, make_tier()).location)[1]
    press(client, token, "sign_up")
    page = client.get("/account").get_data(as_text=True)
    assert "Supporter" in page and "Active" in page and "Manage or cancel" in page


def test_the_export_lists_memberships_and_the_erasure_blanks_the_liner_name(app):
    fan = make_fan()
    tier = make_tier(liner_notes=True)
    db.session.add(Membership(fan_id=fan.id, tier_id=tier.id, provider="test", liner_name="Ana"))
    db.session.commit()
    [part] = [p for p in app.extensions["fan_data"] if p.name == "memberships"]
    [exported] = part.export(db.session, fan)
    assert (exported["tier"], exported["state"], exported["liner_name"]) == (
        "Supporter",
        "pending",
        "Ana",
    )
    part.erase(db.session, fan, now=utcnow())
    db.session.commit()
    assert membership_of(fan).liner_name == ""
