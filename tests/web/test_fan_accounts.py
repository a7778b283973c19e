"""Fans sign in by magic link (mailed, single use, short-lived, bound to its email,
rate-limited) and their account gathers what their email already did as a guest."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import delete, func, select, update

from storefront.clock import utcnow
from storefront.editions.models import Copy
from storefront.extensions import db
from storefront.fans.models import Fan, SignInLink
from storefront.fans.plugins import AccountPanel
from storefront.fans.services import passports_of
from storefront.fans.signin import SignInSpent, sign_in_token, use_sign_in_link
from storefront.mail.models import OutboxMessage
from storefront.quests.models import Passport, Stamp
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.accounts import make_fan, sign_in_as
from tests.support.shop import buy

LINK_RE = re.compile(r"/account/sign-in/([\w.-]+)")


def ask_link(client, email: str):
    """Fill the sign-in form with `email`; the response."""
    token = csrf_token_from(client.get("/account/sign-in").get_data(as_text=True))
    return client.post("/account/sign-in", data={"csrf_token": token, "email": email})


def mailed_link(email: str) -> str:
    """The path of the latest sign-in link written to the outbox for `email`."""
    db.session.expire_all()
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.kind == "sign_in", OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    )
    return LINK_RE.search(body).group(0)


def follow(client, path: str):
    """Open a mailed link and press its button; the response to the press."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_mailed_link_signs_in_and_creates_the_account(app, client, smtp_server, monkeypatch):
    url, mailbox = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    sent = ask_link(client, "Ana@Example.org")
    assert sent.status_code == 302
    assert "Check your mail" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "sent 1, failed 0" in app.test_cli_runner().invoke(args=["mail", "send"]).output
    [message] = mailbox.messages
    assert message["To"] == "ana@example.org"
    link = message.get_payload(decode=True).decode()
    assert "http://localhost/account/sign-in/" in link
    assert db.session.scalar(select(func.count()).select_from(Fan)) == 0, "no account before"
    signed = follow(client, LINK_RE.search(link).group(0))
    assert signed.status_code == 302 and signed.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Signed in as ana@example.org." in page
    fan = db.session.scalar(select(Fan))
    assert fan.email_key == "ana@example.org" and fan.last_signed_in_at is not None


def test_the_page_says_the_same_for_a_known_and_an_unknown_email(client):
    make_fan("ana@example.org")
    known, unknown = ask_link(client, "ana@example.org"), ask_link(client, "bob@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id))
    assert list(subjects) == ["Your sign-in link"] * 2


def test_opening_the_link_changes_nothing_until_the_button_is_pressed(client):
    ask_link(client, "ana@example.org")
    assert client.get(mailed_link("ana@example.org")).status_code == 200
    assert db.session.scalar(select(SignInLink.used_at)) is None
    assert not signed_in(client)


def test_a_link_works_once(app, client):
    ask_link(client, "ana@example.org")
    path = mailed_link("ana@example.org")
    assert follow(client, path).status_code == 302
    again = app.test_client()
    refused = again.get(path)
    assert refused.status_code == 410
    body = refused.get_data(as_text=True)
    assert "was used already" in body and 'href="/account/sign-in"' in body
    assert not signed_in(again)


def test_an_expired_link_is_refused_with_an_offer_of_a_new_one(client):
    ask_link(client, "ana@example.org")
    path = mailed_link("ana@example.org")
    sixteen_minutes_ago = utcnow() - timedelta(minutes=16)
    db.session.execute(update(SignInLink).values(created_at=sixteen_minutes_ago))
    db.session.commit()
    refused = client.get(path)
    assert refused.status_code == 410
    assert "has expired" in refused.get_data(as_text=True)
    assert not signed_in(client)


def test_a_link_pressed_after_its_minutes_is_refused(client):
    ask_link(client, "ana@example.org")
    path = mailed_link("ana@example.org")
    page = client.get(path).get_data(as_text=True)
    db.session.execute(update(SignInLink).values(created_at=utcnow() - timedelta(minutes=15)))
    db.session.commit()
    pressed = client.post(path, data={"csrf_token": csrf_token_from(page)})
    assert pressed.status_code == 410
    assert not signed_in(client)


def test_a_damaged_or_forged_link_is_refused(client):
    ask_link(client, "ana@example.org")
    path = mailed_link("ana@example.org")
    damaged = path[:-1] + ("A" if path[-1] != "A" else "B")
    for bad in (damaged, "/account/sign-in/not-a-token", "/account/sign-in/" + "x." * 300):
        refused = client.get(bad)
        assert refused.status_code == 404, bad
        assert "This sign-in link is not valid." in refused.get_data(as_text=True)
    assert not signed_in(client)


def test_a_link_sent_to_ana_cannot_sign_in_as_bob(app, client):
    ask_link(client, "ana@example.org")
    link = db.session.scalar(select(SignInLink))
    with app.test_request_context():
        # Signed with the shop's own key, but naming Ana's link with Bob's email.
        forged = sign_in_token(SignInLink(id=link.id, email="bob@example.org"))
    assert client.get(f"/account/sign-in/{forged}").status_code == 404
    assert follow(client, mailed_link("ana@example.org")).status_code == 302
    assert [fan.email for fan in db.session.scalars(select(Fan))] == ["ana@example.org"]


def test_a_second_sign_in_opens_the_same_account(app, client):
    fan = make_fan("ana@example.org", name="Ana")
    ask_link(client, "ANA+shop@example.org")
    assert follow(client, mailed_link("ana+shop@example.org")).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Fan.id)).all() == [fan.id]


def test_too_many_links_for_one_email_get_a_clear_429(client):
    for spelling in ("ana@example.org", "Ana@example.org", "ana+1@example.org"):
        assert ask_link(client, spelling).status_code == 302
    limited = ask_link(client, "ana@example.org")
    assert limited.status_code == 429
    assert "Too many sign-in links asked for" in limited.get_data(as_text=True)
    assert ask_link(client, "bob@example.org").status_code == 302, "another email still may"


def test_too_many_links_from_one_address_get_a_429(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_ADDRESS_RATE_LIMIT", "2 per hour")
    assert [ask_link(client, f"fan{n}@example.org").status_code for n in range(3)] == [
        302,
        302,
        429,
    ]
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 2


def test_signing_out_ends_the_session_and_every_copy_of_its_cookie(app, client):
    ask_link(client, "ana@example.org")
    follow(client, mailed_link("ana@example.org"))
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(copy)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post("/account/sign-out", data={"csrf_token": token}).status_code == 302
    assert not signed_in(client)
    assert not signed_in(copy)


def test_signing_out_needs_the_forms_token(client):
    ask_link(client, "ana@example.org")
    follow(client, mailed_link("ana@example.org"))
    assert client.post("/account/sign-out").status_code == 400
    assert signed_in(client)


def test_the_account_asks_visitors_and_staff_to_sign_in(app, admin):
    for visitor in (app.test_client(), admin):
        reply = visitor.get("/account")
        assert reply.status_code == 302
        assert reply.headers["Location"] == "/account/sign-in?next=/account"


def test_the_account_gathers_what_the_email_did_as_a_guest(client, app, make_edition, make_quest):
    edition = make_edition(variants=(("silver", 3),))
    reference = buy(client, edition.product, email="Ana+Vinyl@Example.org")
    quest = make_quest()
    db.session.add(Stamp(quest=quest, passport=Passport(key="k" * 32, email="ana@example.org")))
    db.session.commit()
    copy = db.session.scalar(select(Copy).where(Copy.order_id == order_by_reference(reference).id))
    page = sign_in_as(app.test_client(), make_fan("ana@example.org")).get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/orders/{reference}"' in html
    assert f"No. {copy.number}/3 — silver" in html
    assert quest.gig.city in html and quest.fragment_title in html
    assert (
        sign_in_as(app.test_client(), make_fan("bob@example.org"))
        .get("/account")
        .get_data(as_text=True)
        .count(reference)
        == 0
    )


def test_the_account_links_the_downloads_of_digital_lines(client, app, make_product, digital_file):
    album = make_product(kind="digital", price_cents=900, download_path=digital_file)
    buy(client, album, email="ana@example.org")
    html = sign_in_as(app.test_client(), make_fan("ana@example.org")).get("/account")
    links = re.findall(r'href="(/downloads/[^"]+)"', html.get_data(as_text=True))
    assert len(links) == 1
    with client.get(links[0]) as download:
        assert download.status_code == 200


EMAIL_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._%\\", min_size=1, max_size=8)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(local=EMAIL_PART, tag=EMAIL_PART, other=EMAIL_PART, upper=st.booleans())
def test_a_passport_is_the_fans_exactly_when_its_email_key_is(app, local, tag, other, upper):
    fan = Fan(email=f"{local}@x.org", email_key=f"{local}@x.org")
    typed = f"{local}+{tag}@x.org"
    mine = Passport(key="m" * 32, email=typed.upper() if upper else typed)
    theirs = Passport(key="t" * 32, email=f"{local}{other}+{tag}@x.org")
    db.session.add_all([mine, theirs])
    db.session.flush()
    try:
        assert [p.key for p in passports_of(db.session, fan.email_key)] == [mine.key]
    finally:
        db.session.rollback()
        db.session.execute(delete(Passport))


def test_the_account_renders_each_domains_panel_and_skips_an_empty_one(app, monkeypatch):
    panel = "account/_test_panel.html"
    loader = ChoiceLoader(
        [DictLoader({panel: "<p class=t>{{ panel.words }}</p>"}), app.jinja_loader]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    shown = AccountPanel(panel, lambda session, fan, now: SimpleNamespace(words=f"Hi {fan.email}"))
    left_out = AccountPanel(panel, lambda session, fan, now: None)
    monkeypatch.setitem(app.extensions, "account_panels", (shown, left_out))
    html = sign_in_as(app.test_client(), make_fan("ana@example.org")).get("/account")
    assert html.get_data(as_text=True).count("<p class=t>") == 1
    assert "<p class=t>Hi ana@example.org</p>" in html.get_data(as_text=True)


def test_the_service_refuses_a_link_used_after_its_minutes(app, client):
    ask_link(client, "ana@example.org")
    token = mailed_link("ana@example.org").rsplit("/", 1)[1]
    later = utcnow() + timedelta(minutes=app.config["SIGN_IN_LINK_MINUTES"], seconds=1)
    with pytest.raises(SignInSpent, match="has expired"):
        use_sign_in_link(db.session, token, now=later)
    assert use_sign_in_link(db.session, token, now=utcnow()).email == "ana@example.org"
