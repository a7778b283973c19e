"""Fans scan at once, over real HTTP and real threads: one stamp each, one stamp for a
fan scanning twice, the cap held exactly, and a badge crossed by two claims granted once.

SQLite here, PostgreSQL in CI (TEST_DATABASE_URL)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.quests.models import Badge, BadgeGrant, BadgeReward, Passport, Quest, Stamp
from tests.support.fans import Fan
from tests.support.quests import poster_url

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _room_full_of_fans(app, monkeypatch):
    # Every fan here comes from 127.0.0.1: the per-address limit is not what is tested.
    monkeypatch.setitem(app.config, "QUEST_CLAIM_RATE_LIMIT", "10000 per minute")


def fan_in_english(base_url: str) -> Fan:
    """A fan whose phone asks for English (the pages' outcomes are read in it)."""
    fan = Fan(base_url)
    fan.opener.addheaders = [("Accept-Language", "en")]
    return fan


def scan_at_once(fans: list[Fan], paths: list[str]) -> list[str]:
    """Each fan opens its path at the same instant; what each page said."""
    start = Barrier(len(fans))

    def scan(fan_and_path):
        fan, path = fan_and_path
        start.wait()
        reply = fan.request(path)
        assert reply.status == 200, reply
        if "Stamped:" in reply.body:
            return "stamped"
        if "Already in your passport" in reply.body:
            return "already"
        return "full" if "Every stamp of tonight is given" in reply.body else reply.body

    with ThreadPoolExecutor(max_workers=len(fans)) as pool:
        return list(pool.map(scan, zip(fans, paths, strict=True)))


def count(model, **where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_fifty_fans_scanning_at_once_get_one_stamp_each(app, live_server, make_quest):
    quest = make_quest()
    fans = [fan_in_english(live_server) for _ in range(50)]
    outcomes = scan_at_once(fans, [poster_url(app, quest)] * 50)
    assert Counter(outcomes) == {"stamped": 50}
    assert count(Stamp, quest_id=quest.id) == 50
    assert count(Passport) == 50
    assert db.session.get(Quest, quest.id).stamps_given == 50


def test_one_fan_scanning_twice_at_once_gets_one_stamp(app, live_server, make_gig, make_quest):
    lyon, tonight = make_quest(make_gig("Lyon")), make_quest(make_gig("Genève"))
    fan = fan_in_english(live_server)
    assert "Stamped:" in fan.request(poster_url(app, lyon)).body  # the fan has a passport
    outcomes = scan_at_once([fan] * 6, [poster_url(app, tonight)] * 6)
    assert sorted(outcomes) == ["already"] * 5 + ["stamped"]
    assert count(Stamp, quest_id=tonight.id) == 1
    assert db.session.get(Quest, tonight.id).stamps_given == 1


def test_a_cap_gives_exactly_its_stamps_under_a_rush(app, live_server, make_quest):
    quest = make_quest(cap=7)
    fans = [fan_in_english(live_server) for _ in range(30)]
    outcomes = scan_at_once(fans, [poster_url(app, quest)] * 30)
    assert Counter(outcomes) == {"stamped": 7, "full": 23}
    assert count(Stamp, quest_id=quest.id) == 7
    assert db.session.get(Quest, quest.id).stamps_given == 7


def test_badges_crossed_by_two_claims_at_once_are_each_granted_once(
    app, live_server, make_gig, make_quest
):
    quests = [make_quest(make_gig(city)) for city in ("Lyon", "Grenoble", "Genève", "Lausanne")]
    db.session.add_all(
        [
            Badge(name="Trois villes", cities=3, reward=BadgeReward.DISCOUNT, discount_percent=10),
            Badge(name="Quatre villes", cities=4, reward=BadgeReward.DISCOUNT, discount_percent=20),
        ]
    )
    db.session.commit()
    fan = fan_in_english(live_server)
    for quest in quests[:2]:
        fan.request(poster_url(app, quest))
    outcomes = scan_at_once([fan, fan], [poster_url(app, quest) for quest in quests[2:]])
    assert outcomes == ["stamped", "stamped"]
    grants = db.session.scalars(select(BadgeGrant)).all()
    assert sorted(grant.badge.name for grant in grants) == ["Quatre villes", "Trois villes"]
    assert len({grant.discount_code for grant in grants}) == 2


def test_a_single_use_code_held_by_eight_carts_checks_out_once(app, live_server, make_product):
    from datetime import UTC, datetime

    from storefront.discounts.models import DiscountCode
    from storefront.discounts.services import issue_code
    from storefront.orders.models import Order

    vinyl = make_product(price_cents=2000, stock=20)
    code = issue_code(db.session, percent_off=10, source="badge", now=datetime.now(UTC)).code
    db.session.commit()
    fans = [fan_in_english(live_server) for _ in range(8)]
    forms = []
    for fan in fans:
        fan.fill_cart(vinyl.release.slug, vinyl.id)
        token = fan.token("/cart")
        assert (
            fan.request("/cart/code", {"csrf_token": token, "code": code, "apply": "1"}).status
            == 302
        )
        forms.append(fan.checkout_form())
    start = Barrier(len(fans))

    def check_out(index: int) -> int:
        start.wait()
        return fans[index].request("/checkout", forms[index]).status

    with ThreadPoolExecutor(max_workers=len(fans)) as pool:
        statuses = Counter(pool.map(check_out, range(len(fans))))
    assert statuses == {302: 1, 409: 7}, "one checkout holds the code; the others see why"
    db.session.expire_all()
    assert db.session.scalar(select(DiscountCode.uses)) == 1
    discounted = db.session.scalars(select(Order).where(Order.discount_cents > 0)).all()
    assert len(discounted) == 1 and discounted[0].discount_cents == 200
