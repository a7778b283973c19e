"""The label's tiers: created and edited in the admin, prices typed in euros, bad input
sent back with messages, and only for admins."""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.members.models import Tier
from tests.conftest import fresh
from tests.support.staff import send
from tests.web.test_members_join import make_tier

GOOD = {
    "name": "Supporter",
    "slug": "supporter",
    "description": "Keeps the presses turning.",
    "monthly": "4.50",
    "yearly": "45",
    "discount_percent": "10",
    "early_access_hours": "48",
    "posts": "y",
    "member_cap": "100",
    "active": "y",
    "stripe_monthly_price": "price_1Month",
    "stripe_yearly_price": "",
}


def test_an_admin_creates_a_tier_with_prices_in_euros(admin):
    reply = send(admin, "/admin/tiers/new", GOOD)
    assert reply.status_code == 302
    tier = db.session.scalar(select(Tier).where(Tier.slug == "supporter"))
    assert (tier.monthly_cents, tier.yearly_cents) == (450, 4500)
    assert (tier.discount_percent, tier.early_access_hours, tier.posts) == (10, 48, True)
    assert (tier.free_digital, tier.liner_notes, tier.member_cap) == (False, False, 100)
    assert (tier.stripe_monthly_price, tier.stripe_yearly_price) == ("price_1Month", None)
    listing = admin.get("/admin/tiers").get_data(as_text=True)
    assert "Supporter" in listing and "100 / 100" in listing


def test_bad_input_comes_back_with_messages_and_what_was_typed(admin):
    bad = {
        **GOOD,
        "monthly": "4,5x",
        "discount_percent": "60",
        "slug": "Big Fan",
        "stripe_monthly_price": "prod_1",
    }
    reply = send(admin, "/admin/tiers/new", bad)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Write the price in euros" in page
    assert "Number must be between 0 and 50" in page
    assert "Use only lowercase letters" in page
    assert "A Stripe price id looks like" in page
    assert 'value="4,5x"' in page
    assert db.session.scalar(select(Tier)) is None


def test_a_slug_in_use_is_refused_next_to_its_field(admin):
    make_tier(slug="supporter")
    reply = send(admin, "/admin/tiers/new", GOOD)
    assert reply.status_code == 422
    assert "Another tier already uses the address" in reply.get_data(as_text=True)


def test_an_admin_edits_a_tier_but_never_caps_it_below_its_members(admin):
    tier = make_tier(member_cap=10, members=4)
    url = f"/admin/tiers/{tier.id}"
    assert 'value="4.50"' in admin.get(url).get_data(as_text=True)
    reply = send(admin, url, {**GOOD, "slug": tier.slug, "member_cap": "3"})
    assert reply.status_code == 422
    assert "the cap cannot be lower" in reply.get_data(as_text=True)
    assert fresh(tier).member_cap == 10
    reply = send(admin, url, {**GOOD, "slug": tier.slug, "member_cap": "4", "monthly": "5"})
    assert reply.status_code == 302
    assert (fresh(tier).member_cap, fresh(tier).monthly_cents, fresh(tier).members) == (4, 500, 4)
    assert "0 / 4" in admin.get("/admin/tiers").get_data(as_text=True)


def test_staff_cannot_open_the_tiers(staff):
    assert staff.get("/admin/tiers").status_code == 403
    assert staff.post("/admin/tiers/new", data=GOOD).status_code in (400, 403)


def test_the_admin_nav_links_to_the_tiers(admin):
    assert 'href="/admin/tiers"' in admin.get("/admin/orders").get_data(as_text=True)
