"""Segments: each kind names exactly its people, and never an address that did not
confirm or that unsubscribed."""

from __future__ import annotations

from datetime import timedelta

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.models import Membership, Tier
from storefront.newsletter.models import Subscriber
from storefront.newsletter.segments import Segment, SegmentKind, select_subscribers
from storefront.orders.fans import fan_key
from storefront.payments.services import refund_order
from storefront.quests.models import Passport, Stamp
from tests.conftest import fresh
from tests.support.accounts import make_fan
from tests.support.campaigns import open_order, preorder

GRACE = timedelta(days=7)


def add_subscriber(
    email: str,
    *,
    topics=("releases",),
    city: str = "",
    confirmed: bool = True,
    unsubscribed: bool = False,
    locale: str = "en",
) -> Subscriber:
    """A subscriber row as a confirmed sign-up leaves it (or not confirmed, or gone)."""
    now = utcnow()
    subscriber = Subscriber(
        email=email,
        email_key=fan_key(email),
        topics=list(topics),
        city=city,
        locale=locale,
        source="newsletter page",
        requested_at=now,
        confirmed_at=now if confirmed else None,
        unsubscribed_at=now if unsubscribed else None,
    )
    db.session.add(subscriber)
    db.session.commit()
    return subscriber


def chosen(kind: SegmentKind, value: str = "") -> set[str]:
    found = select_subscribers(db.session, Segment(kind, value), utcnow(), grace=GRACE)
    return {subscriber.email for subscriber in found}


def test_only_confirmed_and_subscribed_addresses_are_ever_selected(app):
    add_subscriber("in@example.org", city="Lyon")
    add_subscriber("pending@example.org", city="Lyon", confirmed=False)
    add_subscriber("gone@example.org", city="Lyon", unsubscribed=True)
    assert chosen(SegmentKind.ALL) == {"in@example.org"}
    assert chosen(SegmentKind.TOPIC, "releases") == {"in@example.org"}
    assert chosen(SegmentKind.CITY, "Lyon") == {"in@example.org"}


def test_topic_and_city_segments(app):
    add_subscriber("news@example.org", topics=["releases", "studio"], city="Genève")
    add_subscriber("gigs@example.org", topics=["gigs"], city="  lyon ")
    add_subscriber("nocity@example.org", topics=["gigs"])
    assert chosen(SegmentKind.TOPIC, "studio") == {"news@example.org"}
    assert chosen(SegmentKind.TOPIC, "gigs") == {"gigs@example.org", "nocity@example.org"}
    assert chosen(SegmentKind.CITY, "Lyon") == {"gigs@example.org"}
    assert chosen(SegmentKind.CITY, "genève") == {"news@example.org"}
    assert chosen(SegmentKind.CITY, "") == set()


def _member(email: str, tier: Tier, state: str, **fields) -> None:
    fan = make_fan(email)
    db.session.add(Membership(fan=fan, tier=tier, state=state, provider="test", **fields))
    db.session.commit()


def test_tier_segment_names_members_who_keep_their_benefits(app):
    now = utcnow()
    tier = Tier(slug="cercle", name="Cercle", monthly_cents=500)
    other = Tier(slug="autre", name="Autre", monthly_cents=900)
    db.session.add_all([tier, other])
    db.session.commit()
    _member("active@example.org", tier, "active")
    _member("grace@example.org", tier, "past_due", past_due_since=now - timedelta(days=2))
    _member("lapsed@example.org", tier, "past_due", past_due_since=now - timedelta(days=30))
    _member("ended@example.org", tier, "ended")
    _member("other@example.org", other, "active")
    # The sign-up was typed with a +tag and capitals: the fan key still matches.
    add_subscriber("Active+news@Example.org")
    for email in ("grace", "lapsed", "ended", "other", "nomember"):
        add_subscriber(f"{email}@example.org")
    assert chosen(SegmentKind.TIER, str(tier.id)) == {
        "Active+news@Example.org",
        "grace@example.org",
    }
    assert chosen(SegmentKind.TIER, "999999") == set()
    assert chosen(SegmentKind.TIER, "not-an-id") == set()


def test_release_segment_names_buyers_of_paid_orders(app, make_product):
    vinyl = make_product()
    other = make_product()
    preorder(vinyl, email="buyer@example.org")
    preorder(other, email="other@example.org")
    open_order(vinyl, email="unpaid@example.org")
    refunded = preorder(vinyl, email="refunded@example.org")
    refund_order(db.session, fresh(refunded), reason="changed mind", now=utcnow())
    for name in ("buyer", "other", "unpaid", "refunded"):
        add_subscriber(f"{name}@example.org")
    assert chosen(SegmentKind.RELEASE, str(vinyl.release_id)) == {"buyer@example.org"}


def test_campaign_segment_names_backers_not_refunded(app, make_campaign):
    campaign = make_campaign()
    elsewhere = make_campaign()
    [product] = campaign.products
    preorder(product, email="backer@example.org")
    preorder(elsewhere.products[0], email="elsewhere@example.org")
    refunded = preorder(product, email="refunded@example.org")
    refund_order(db.session, fresh(refunded), reason="changed mind", now=utcnow())
    for name in ("backer", "elsewhere", "refunded"):
        add_subscriber(f"{name}@example.org")
    assert chosen(SegmentKind.CAMPAIGN, str(campaign.id)) == {"backer@example.org"}


def _stamped(email: str | None, quest, key: str) -> None:
    passport = Passport(key=key, email=email)
    db.session.add(passport)
    db.session.add(Stamp(quest=quest, passport=passport))
    db.session.commit()


def test_quest_city_segment_names_passports_saved_with_a_stamp_there(app, make_gig, make_quest):
    geneva = make_quest(make_gig("Genève"))
    lyon = make_quest(make_gig("Lyon"))
    _stamped("geneva@example.org", geneva, "k1")
    _stamped("lyon@example.org", lyon, "k2")
    _stamped(None, geneva, "k3")  # never saved: no address to match
    for name in ("geneva", "lyon", "nostamp"):
        add_subscriber(f"{name}@example.org")
    assert chosen(SegmentKind.QUEST_CITY, "genève") == {"geneva@example.org"}
    assert chosen(SegmentKind.QUEST_CITY, "Paris") == set()
