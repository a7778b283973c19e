"""Fans join a capped tier at once, over real HTTP and real threads: the cap is held
exactly and everyone else is told the tier is sold out.

SQLite here, PostgreSQL in CI (TEST_DATABASE_URL)."""

from __future__ import annotations

import http.cookiejar
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storefront.accounts.sessions import session_fingerprint
from storefront.clock import utcnow
from storefront.errors import SoldOut
from storefront.extensions import db
from storefront.members.models import Interval, Membership, Tier
from storefront.members.services import AlreadyMember, end_membership, join_tier
from storefront.members.services import holding as holding_membership
from tests.conftest import fresh
from tests.support.accounts import make_fan
from tests.support.fans import Fan
from tests.web.test_members_join import make_tier

pytestmark = pytest.mark.slow

USER_AGENT = "fan-phone"


def signed_in_fan(app, base_url: str, email: str) -> Fan:
    """A browser on loopback holding the session cookie a magic link would have given."""
    account = make_fan(email)
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
    ):
        fingerprint = session_fingerprint()
    data = {"_user_id": account.get_id(), "_fresh": True, "_id": fingerprint}
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    fan = Fan(base_url)
    fan.opener.addheaders = [("Accept-Language", "en"), ("User-Agent", USER_AGENT)]
    _jar(fan).set_cookie(_cookie(app.config["SESSION_COOKIE_NAME"], value))
    return fan


def _jar(fan: Fan) -> http.cookiejar.CookieJar:
    [handler] = [
        h for h in fan.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)
    ]
    return handler.cookiejar


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip


def join_at_once(fans: list[Fan], slug: str) -> Counter:
    forms = [{"csrf_token": fan.token("/members"), "interval": "month"} for fan in fans]
    start = Barrier(len(fans))

    def join(index: int) -> str:
        start.wait()
        reply = fans[index].request(f"/members/{slug}/join", forms[index])
        if reply.status == 302 and "/members/test/" in reply.location:
            return "joined"
        if reply.status == 409 and "sold out" in reply.body.lower():
            return "sold_out"
        return f"error:{reply.status}"

    with ThreadPoolExecutor(max_workers=len(fans)) as pool:
        return Counter(pool.map(join, range(len(fans))))


def test_twelve_fans_joining_a_three_seat_tier_at_once_get_three_seats(app, live_server):
    tier = make_tier(member_cap=3)
    fans = [signed_in_fan(app, live_server, f"fan{i}@example.org") for i in range(12)]
    assert join_at_once(fans, tier.slug) == {"joined": 3, "sold_out": 9}
    assert fresh(tier).members == 3
    held = select(func.count()).select_from(Membership).where(Membership.holds_seat.is_(True))
    assert db.session.scalar(held) == 3
    assert "Sold out" in fans[0].request("/members").body


def test_one_fan_joining_twice_at_once_holds_one_seat(app, live_server):
    tier = make_tier(member_cap=5)
    fan = signed_in_fan(app, live_server, "ana@example.org")
    outcomes = join_at_once([fan] * 4, tier.slug)
    assert outcomes["joined"] == 1
    assert fresh(tier).members == 1
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


EXAMPLES = iter(range(1_000_000))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cap=st.integers(min_value=1, max_value=3),
    steps=st.lists(
        st.tuples(st.sampled_from(["join", "end"]), st.integers(min_value=0, max_value=4)),
        max_size=14,
    ),
)
def test_seats_add_up_whatever_fans_join_and_leave(app, cap, steps):
    """The tier counts exactly the memberships holding a seat, never more than its cap;
    a fan holds one membership at a time; a seat given back is free again."""
    n = next(EXAMPLES)
    tier = make_tier(slug=f"cap-{n}", member_cap=cap)
    fans = [make_fan(f"fan{i}-{n}@example.org") for i in range(5)]
    holding: set[int] = set()
    now = utcnow()
    for action, i in steps:
        fan = fans[i]
        if action == "join":
            try:
                join_tier(db.session, tier=tier, fan=fan, interval=Interval.MONTH,
                          liner_name="", provider="test", now=now)  # fmt: skip
            except AlreadyMember:
                assert fan.id in holding
            except SoldOut:
                assert fan.id not in holding and len(holding) == cap
            else:
                assert fan.id not in holding and len(holding) < cap
                holding.add(fan.id)
        else:
            current = holding_membership(db.session, fan.id, now=now)
            if current is not None:
                end_membership(db.session, current, now=now)
                db.session.commit()
                holding.discard(fan.id)
        db.session.expire_all()
        seated = db.session.scalar(
            select(func.count()).where(Membership.tier_id == tier.id, Membership.holds_seat)
        )
        assert db.session.get(Tier, tier.id).members == seated == len(holding) <= cap
