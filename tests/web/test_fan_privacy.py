"""A fan downloads everything held about them, and deletes it: orders stay, anonymised;
passports, cards and mails keep nothing that names them; the session ends."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.editions.models import CardRedemption, Copy
from storefront.extensions import db
from storefront.fans.models import Fan
from storefront.mail.models import OutboxMessage
from storefront.orders.fans import fan_key
from storefront.quests.models import Passport, Stamp
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.accounts import make_fan, sign_in_as
from tests.support.shop import buy


@pytest.fixture
def ana_with_history(app, client, make_edition, make_quest):
    """Ana bought a numbered copy as a guest, saved a passport and opened her card."""
    edition = make_edition(variants=(("silver", 3),))
    reference = buy(client, edition.product, email="Ana+shop@example.org")
    order = order_by_reference(reference)
    copy = db.session.scalar(select(Copy).where(Copy.order_id == order.id))
    quest = make_quest()
    passport = Passport(key="p" * 32, email="ana@example.org")
    db.session.add(Stamp(quest=quest, passport=passport))
    db.session.add(CardRedemption(copy_id=copy.id, email="ana@example.org", at=utcnow()))
    db.session.commit()
    fan = make_fan("ana@example.org", name="Ana")
    return sign_in_as(app.test_client(), fan), reference, quest


def test_the_export_holds_the_account_its_orders_stamps_and_cards(ana_with_history):
    client, reference, quest = ana_with_history
    reply = client.get("/account/export")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    assert reply.headers["Cache-Control"] == "no-store"
    data = json.loads(reply.get_data(as_text=True))
    assert data["fan"]["email"] == "ana@example.org"
    [order] = data["orders"]
    assert order["reference"] == reference and order["email"] == "Ana+shop@example.org"
    assert order["shipping_address"]["name"] == "Camille Fan"
    assert [line["quantity"] for line in order["lines"]] == [1]
    [passport] = data["passports"]
    assert [stamp["city"] for stamp in passport["stamps"]] == [quest.gig.city]
    [card] = data["card_redemptions"]
    assert card["copy"].endswith("/3 — silver")
    assert any(reference in mail["subject"] for mail in data["mails"])


def test_export_and_deletion_need_a_signed_in_fan(client):
    assert client.get("/account/export").status_code == 302
    assert client.get("/account/delete").status_code == 302


def test_deleting_needs_the_accounts_email_typed(ana_with_history):
    client, reference, _quest = ana_with_history
    token = csrf_token_from(client.get("/account/delete").get_data(as_text=True))
    reply = client.post("/account/delete", data={"csrf_token": token, "email": "bob@example.org"})
    assert reply.status_code == 422
    assert "This is not the email of your account." in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Fan)) == 1
    assert order_by_reference(reference).email == "Ana+shop@example.org"


def test_deletion_anonymises_the_orders_erases_the_rest_and_signs_out(app, ana_with_history):
    client, reference, _quest = ana_with_history
    before = order_by_reference(reference)
    total, paid_at = before.total_cents, before.paid_at
    old_cookie = client.get_cookie("session").value
    token = csrf_token_from(client.get("/account/delete").get_data(as_text=True))
    reply = client.post("/account/delete", data={"csrf_token": token, "email": " ANA@example.org"})
    assert reply.status_code == 302
    order = order_by_reference(reference)
    assert order.total_cents == total and order.paid_at == paid_at and len(order.lines) == 1
    assert "ana" not in order.email.lower() and order.email.endswith("@invalid")
    assert order.fan_key != fan_key("ana@example.org")
    assert order.ship_name is None and order.ship_line1 is None and order.ship_city is None
    assert db.session.scalar(select(Passport.email)) is None
    assert db.session.scalar(select(CardRedemption.email)) == ""
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert not any("ana" in recipient.lower() for recipient in recipients)
    assert db.session.scalar(select(func.count()).select_from(Fan)) == 0
    assert client.get("/account").status_code == 302
    replayed = app.test_client()
    replayed.set_cookie("session", old_cookie)
    assert replayed.get("/account").status_code == 302


def test_after_deletion_the_same_email_starts_afresh(app, ana_with_history):
    client, _reference, _quest = ana_with_history
    token = csrf_token_from(client.get("/account/delete").get_data(as_text=True))
    client.post("/account/delete", data={"csrf_token": token, "email": "ana@example.org"})
    fresh = sign_in_as(app.test_client(), make_fan("ana@example.org"))
    html = fresh.get("/account").get_data(as_text=True)
    assert "No order with this email yet." in html
    assert "No passport saved under this email." in html
