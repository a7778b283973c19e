"""The fan CRM: the label finds a fan, reads what they did, keeps a private note."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storefront.clock import utcnow
from storefront.editions.models import CardRedemption, Copy
from storefront.extensions import db
from storefront.fans.models import Fan
from storefront.members.models import Membership, SubscriptionEvent, Tier
from storefront.newsletter.models import Subscriber
from storefront.quests.models import Passport, Stamp
from tests.support.accounts import make_fan
from tests.support.campaigns import open_order, preorder
from tests.support.staff import send


def profile(client, key: str) -> str:
    response = client.get("/admin/fans/profile", query_string={"key": key})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_finds_guest_buyers_and_accounts_by_email_or_name(admin, make_product):
    product = make_product(price_cents=2400)
    paid = preorder(product, email="Camille.Fan+disques@Example.org")
    open_order(product, email="someone@else.org")  # unpaid: no spending
    make_fan("nour@example.org", name="Nour Haddad")

    by_email = admin.get("/admin/fans?q=CAMILLE").get_data(as_text=True)
    assert "Camille.Fan+disques@Example.org" in by_email
    assert "someone@else.org" not in by_email
    assert f"€{paid.total_cents / 100:.2f}" in by_email
    by_name = admin.get("/admin/fans?q=haddad").get_data(as_text=True)
    assert "nour@example.org" in by_name and "Camille" not in by_name
    # A LIKE wildcard typed by the label is a character, not "everything".
    assert "No fan matches" in admin.get("/admin/fans?q=%25").get_data(as_text=True)
    everyone = admin.get("/admin/fans").get_data(as_text=True)
    assert all(e in everyone for e in ("nour@example.org", "someone@else.org", "Camille"))


def test_a_fans_page_gathers_orders_membership_stamps_cards_and_consent(
    admin, make_product, make_quest, make_edition
):
    now = utcnow()
    fan = make_fan("ana@example.org", name="Ana")
    fan.last_signed_in_at = now
    paid = preorder(make_product(price_cents=3000), email="Ana+vinyl@example.org")
    tier = Tier(slug="cercle", name="Cercle", monthly_cents=500)
    db.session.add(
        Membership(
            fan=fan, tier=tier, state="active", provider="test", subscription_id="sub_ana",
            started_at=now - timedelta(days=40), current_period_end=now + timedelta(days=20),
        )
    )  # fmt: skip
    db.session.add_all(
        SubscriptionEvent(id=f"evt_{n}", type=kind, subscription_id="sub_ana",
                          created_at=now - timedelta(days=days))
        for n, (kind, days) in enumerate(
            [("customer.subscription.created", 40), ("invoice.payment_failed", 10),
             ("invoice.paid", 9)]
        )
    )  # fmt: skip
    quest = make_quest()
    passport = Passport(key="k" * 32, email="ana@example.org", saved_at=now)
    passport.stamps.append(Stamp(quest=quest, claimed_at=now))
    db.session.add(passport)
    edition = make_edition()
    copy = db.session.scalar(select(Copy).where(Copy.edition_id == edition.id).limit(1))
    db.session.add(CardRedemption(copy_id=copy.id, email="ana@example.org", at=now))
    db.session.add(
        Subscriber(email="ana@example.org", email_key="ana@example.org", topics=["gigs"],
                   city="Lyon", source="footer form", confirmed_at=now)
    )  # fmt: skip
    db.session.commit()

    page = profile(admin, "ana@example.org")
    assert paid.reference in page and f"€{paid.total_cents / 100:.2f}" in page
    assert "Cercle" in page and "invoice.payment_failed" in page
    assert page.index("customer.subscription.created") < page.index("invoice.paid")
    assert "Lausanne" in page
    assert f"No. {copy.number}/" in page
    assert "footer form" in page and "gigs" in page and "Lyon" in page


def test_the_label_keeps_a_note_about_a_guest(admin, make_product):
    reference = preorder(make_product(), email="guest@example.org").reference
    url = "/admin/fans/profile"
    page = "/admin/fans/profile?key=guest@example.org"
    response = send(
        admin, url, {"key": "guest@example.org", "note": " Met at Lausanne "}, page=page
    )
    assert response.status_code == 302
    fan = db.session.scalar(select(Fan).where(Fan.email_key == "guest@example.org"))
    assert fan.note == "Met at Lausanne" and fan.last_signed_in_at is None
    shown = profile(admin, "guest@example.org")
    assert "Met at Lausanne" in shown and reference in shown and "buys as a guest" in shown

    too_long = send(admin, url, {"key": "guest@example.org", "note": "x" * 2001}, page=page)
    assert too_long.status_code == 422
    db.session.refresh(fan)
    assert fan.note == "Met at Lausanne"


def test_unknown_fans_are_404_and_staff_read_without_writing(staff, make_product):
    preorder(make_product(), email="guest@example.org")
    assert staff.get("/admin/fans/profile?key=nobody@example.org").status_code == 404
    assert staff.get("/admin/fans/profile").status_code == 404
    page = profile(staff, "guest@example.org")
    assert "Save the note" not in page
    response = send(
        staff, "/admin/fans/profile", {"key": "guest@example.org", "note": "x"},
        page="/admin/fans/profile?key=guest@example.org",
    )  # fmt: skip
    assert response.status_code == 403


def test_fans_pages_need_a_staff_sign_in(client):
    assert client.get("/admin/fans").status_code == 302


def test_a_segment_exports_only_consented_fields_of_confirmed_subscribers(admin, client):
    now = utcnow()
    db.session.add_all(
        [
            Subscriber(email="lea@example.org", email_key="lea@example.org", city="=Lyon",
                       topics=["gigs", "studio"], source="footer form", confirmed_at=now),
            Subscriber(email="max@example.org", email_key="max@example.org", topics=["gigs"],
                       source="footer form"),  # never confirmed
            Subscriber(email="ivo@example.org", email_key="ivo@example.org", topics=["studio"],
                       source="account", confirmed_at=now),
        ]
    )  # fmt: skip
    db.session.commit()
    response = admin.get("/admin/fans/export.csv?kind=topic&topic=gigs")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines == [
        "email,city,topics,consented_at,source",
        f"lea@example.org,'=Lyon,gigs studio,{now.isoformat()},footer form",
    ]


def test_an_incomplete_segment_is_refused_on_the_page(admin):
    response = admin.get("/admin/fans/export.csv?kind=tier")
    assert response.status_code == 422
    assert "Choose who receives it." in response.get_data(as_text=True)
    assert admin.get("/admin/fans/export.csv?kind=nonsense").status_code == 422


def test_staff_cannot_export_fans(staff):
    assert staff.get("/admin/fans/export.csv?kind=all").status_code == 403
    assert "Export a segment" not in staff.get("/admin/fans").get_data(as_text=True)
