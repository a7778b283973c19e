"""The newsletter in the admin: admins only; a mailing written (bad input re-renders with
its messages), previewed with its count, tested on the admin's own address, then sent."""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.members.models import Tier
from storefront.newsletter.models import Mailing
from tests.support.payments import mails
from tests.support.staff import send
from tests.web.test_newsletter_segments import add_subscriber

COMPOSE = "/admin/newsletter/new"


def compose(admin, **fields):
    data = {"subject": "Grains de sable", "body": "It is **out**.", "kind": "all", **fields}
    return send(admin, COMPOSE, data)


def only_mailing() -> Mailing:
    db.session.expire_all()
    [mailing] = db.session.scalars(select(Mailing)).all()
    return mailing


def test_the_newsletter_is_for_admins_only(client, staff):
    assert staff.get("/admin/newsletter").status_code == 403
    assert staff.get(COMPOSE).status_code == 403
    assert 'href="/admin/newsletter"' not in staff.get("/admin/orders").get_data(as_text=True)


def test_admins_find_it_in_the_menu(admin):
    assert 'href="/admin/newsletter"' in admin.get("/admin/orders").get_data(as_text=True)


def test_a_visitor_is_sent_to_the_login(client):
    response = client.get("/admin/newsletter")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_bad_input_re_renders_the_form_with_its_messages(admin):
    response = compose(admin, subject="", body="Kept as typed", kind="tier")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Kept as typed" in page
    assert db.session.scalars(select(Mailing)).all() == []
    no_tier = compose(admin, kind="tier")
    assert no_tier.status_code == 422
    assert "Choose who receives it." in no_tier.get_data(as_text=True)
    assert compose(admin, kind="tier", tier="999").status_code == 422
    assert compose(admin, kind="nonsense").status_code == 422
    assert db.session.scalars(select(Mailing)).all() == []


def test_a_mailing_is_previewed_with_its_count(admin):
    add_subscriber("lyon1@example.org", city="Lyon")
    add_subscriber("lyon2@example.org", city="lyon")
    add_subscriber("geneva@example.org", city="Genève")
    add_subscriber("pending@example.org", city="Lyon", confirmed=False)
    body = "It is **out**.\n\n<script>alert(1)</script>"
    response = compose(admin, kind="city", city="Lyon", body=body)
    assert response.status_code == 302
    mailing = only_mailing()
    assert mailing.segment == {"kind": "city", "value": "Lyon"}
    assert mailing.created_by == "admin@bruitblanc.example"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Subscribers in Lyon" in page and "2 recipients" in page
    assert "lyon1@example.org, lyon2@example.org" in page and "pending@" not in page
    assert "<strong>out</strong>" in page and "<script>alert" not in page


def test_a_tier_mailing_offers_the_tiers(admin):
    tier = Tier(slug="cercle", name="Cercle", monthly_cents=500)
    db.session.add(tier)
    db.session.commit()
    assert "Cercle" in admin.get(COMPOSE).get_data(as_text=True)
    assert compose(admin, kind="tier", tier=str(tier.id)).status_code == 302
    assert only_mailing().segment == {"kind": "tier", "value": str(tier.id)}


def test_a_test_goes_to_the_admins_own_address(admin):
    add_subscriber("fan@example.org")
    compose(admin)
    url = f"/admin/newsletter/{only_mailing().id}"
    assert send(admin, f"{url}/test", {}, page=url).status_code == 302
    [message] = mails("newsletter")
    assert message.recipient == "admin@bruitblanc.example"
    assert message.subject == "[Test] Grains de sable"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert only_mailing().test_sent_at is not None and only_mailing().send_started_at is None


def test_sending_is_started_once(admin):
    compose(admin)
    url = f"/admin/newsletter/{only_mailing().id}"
    assert send(admin, f"{url}/send", {}, page=url).status_code == 302
    started = only_mailing().send_started_at
    assert started is not None
    again = send(admin, f"{url}/send", {}, page=url, follow_redirects=True)
    assert "already being sent" in again.get_data(as_text=True)
    assert only_mailing().send_started_at == started
    listing = admin.get("/admin/newsletter").get_data(as_text=True)
    assert "Grains de sable" in listing and "sending" in listing
