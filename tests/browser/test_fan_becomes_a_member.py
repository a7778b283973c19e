"""On a phone, a fan signs in by magic link, joins a tier with test payments, reads a
members-only post, pays less for a vinyl, cancels, keeps the benefits to the end of the
paid period, then loses them (issue 10)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import format_date
from playwright.sync_api import Page
from sqlalchemy import select

from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.members.billing import TestBilling, checkout_lifetime
from storefront.members.models import MemberPost, Membership
from storefront.members.services import expire_memberships
from storefront.money import format_cents
from storefront.orders.shipping import FIRST_ITEM_CENTS, Zone
from tests.support.benefits import make_tier

pytestmark = pytest.mark.browser

EMAIL = "camille@example.org"
PRICE, PERCENT = 2390, 10  # 239 cents off: the discount rounds down to whole cents
SHIPPING = FIRST_ITEM_CENTS[Zone.FRANCE]["parcel"]
WIDTH = 390  # the phone fixture's viewport
MEMBERSHIP = ".account-panel.membership"
LINK_RE = re.compile(r"https?://\S+/account/sign-in/\S+")


def euros(cents: int) -> str:
    return format_cents(cents, "EUR", "en")


def sign_in(phone: Page, live_server: str) -> None:
    """Ask for a link, read it from the outbox, open it on this server and press Sign in."""
    phone.goto(live_server + "/account/sign-in")
    phone.get_by_label("Email", exact=True).fill(EMAIL)
    phone.get_by_role("button", name="Mail me a sign-in link").click()
    phone.wait_for_url("**/account/sign-in/sent")
    db.session.expire_all()
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == EMAIL)
        .order_by(OutboxMessage.id.desc())
    )
    db.session.rollback()  # no read transaction left open beside the live server's writes
    phone.goto(live_server + urlsplit(LINK_RE.search(body).group(0)).path)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    phone.wait_for_url(live_server + "/account")


def the_membership() -> Membership:
    db.session.expire_all()
    membership = db.session.scalars(select(Membership)).one()
    db.session.rollback()
    return membership


def read_post(phone: Page) -> str:
    """From the list of members' posts, open the one post and return its text."""
    phone.get_by_role("link", name="Mixing week").click()
    phone.wait_for_url("**/members/posts/*")
    return phone.locator("article").inner_text()


def text(phone: Page, live_server: str, path: str, selector: str = "main") -> str:
    """Open `path` and return the text of `selector`; the page must fit the phone's width."""
    phone.goto(live_server + path)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, path
    return phone.locator(selector).inner_text()


def test_fan_joins_reads_pays_less_cancels_and_keeps_benefits_to_the_end_of_the_period(
    live_server, phone: Page, make_release, make_product
):
    make_tier("Gold", yearly_cents=5000, discount_percent=PERCENT, posts=True)
    db.session.add(MemberPost(title="Mixing week", body="Tape loops, all night long."))
    release = make_release(title="Grains de Sable", slug="grains-de-sable")
    make_product(release=release, kind="vinyl", price_cents=PRICE)
    db.session.commit()

    sign_in(phone, live_server)
    assert f"Signed in as {EMAIL}." in phone.locator("main").inner_text()

    # Joining: monthly, on the TEST billing page that plays Stripe's part.
    text(phone, live_server, "/members")
    phone.get_by_label("monthly").check()
    phone.get_by_role("button", name="Join Gold").click()
    phone.wait_for_url("**/members/test/*")
    assert phone.locator("h1").inner_text() == "TEST \u2014 Membership billing"
    phone.get_by_role("button", name="Sign up (first payment succeeds)").click()
    phone.get_by_text("Gold \u2014 Active").wait_for()
    paid_until = the_membership().current_period_end
    renews = format_date(paid_until, "long")
    panel = text(phone, live_server, "/account", MEMBERSHIP)
    assert "Gold \u2014 Active" in panel and f"Next renewal: {renews}" in panel

    # The post, from the account's link.
    phone.get_by_role("link", name="Read the members' posts").click()
    assert read_post(phone).endswith("Tape loops, all night long.")
    post_url = phone.url

    # The public price on the release page, the member's in the cart.
    assert text(phone, live_server, "/releases/grains-de-sable", ".format .price") == euros(PRICE)
    phone.get_by_role("button", name="Add to cart").click()
    phone.wait_for_url("**/cart")
    off = PRICE * PERCENT // 100
    assert phone.locator(".member-discount").inner_text() == (
        f"Member discount (Gold)\t\u2212{euros(off)}"
    )
    assert phone.locator(".summary .total").inner_text().endswith(euros(PRICE - off + SHIPPING))

    # Cancelling at the end of the period, from the account's "Manage or cancel".
    text(phone, live_server, "/account")
    phone.get_by_role("button", name="Manage or cancel").click()
    phone.wait_for_url("**/members/test/*")
    phone.get_by_role("button", name="Cancel at the end of the period").click()
    phone.get_by_text("Gold \u2014 Canceled").wait_for()
    assert the_membership().current_period_end == paid_until  # cancelling keeps what was paid
    panel = text(phone, live_server, "/account", MEMBERSHIP)
    assert "Gold \u2014 Canceled" in panel and f"Benefits until: {renews}" in panel
    assert "Manage or cancel" not in panel and "Manage" in panel  # nothing left to cancel
    text(phone, live_server, "/members/posts")
    assert read_post(phone).endswith("Tape loops, all night long.")

    # The paid period runs out: `flask members expire` (cron) ends the membership.
    expire_memberships(
        db.session,
        now=paid_until + timedelta(seconds=1),
        checkout_lifetime=checkout_lifetime(),
        test_provider=TestBilling.name,
    )
    for path in ("/members/posts", urlsplit(post_url).path):
        refused = text(phone, live_server, path)
        assert "They come with these tiers: Gold." in refused and "Tape loops" not in refused
        assert "Your membership does not include them, or has ended." in refused
    cart = text(phone, live_server, "/cart")
    assert "Member discount" not in cart
    assert phone.locator(".summary .total").inner_text().endswith(euros(PRICE + SHIPPING))
