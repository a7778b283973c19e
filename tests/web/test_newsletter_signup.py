"""Signing up by double opt-in, through real SMTP: nothing is sent to an address until
its owner opens the mailed link; links are signed and expire; leaving takes one click;
preferences; a signed-in fan's account panel; their data exported and erased."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.newsletter.links import CONFIRM_SALT, address_token
from storefront.newsletter.models import MailingDelivery, Subscriber
from storefront.newsletter.plugins import fan_data
from tests.conftest import csrf_token_from
from tests.support.accounts import make_fan, sign_in_as
from tests.support.payments import mails
from tests.web.test_newsletter_segments import add_subscriber

LINK_RE = re.compile(r"http://localhost(/newsletter/\S+)")
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"')


@pytest.fixture
def mailbox(app, smtp_server, monkeypatch):
    """What the outbox worker delivers through a real SMTP server on loopback."""
    url, box = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", url)

    def deliver() -> list:
        result = app.test_cli_runner().invoke(args=["mail", "send"])
        assert "failed 0" in result.output
        return box.messages

    return deliver


def sign_up(client, email="ana@example.org", page="/newsletter", **fields):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    data = {"csrf_token": token, "email": email, "source": "page", **fields}
    return client.post("/newsletter", data=data)


def subscriber(email="ana@example.org") -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def link_in(message) -> str:
    return LINK_RE.search(message.get_payload(decode=True).decode()).group(1)


def test_the_footer_form_posts_to_the_newsletter(client):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/newsletter"' in page and 'name="source" value="footer"' in page
    response = sign_up(client, page="/", source="footer")
    assert response.status_code == 200
    assert subscriber().topics == [] and subscriber().confirmed_at is None


def test_nothing_is_confirmed_until_the_mailed_link_is_opened(client, mailbox):
    response = sign_up(client, topics=["releases", "gigs"], city="Lyon")
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert subscriber().confirmed_at is None and not subscriber().receives_mail
    [message] = mailbox()
    assert message["To"] == "ana@example.org" and "Confirm" in message["Subject"]
    page = client.get(link_in(message))
    assert page.status_code == 200 and "You are subscribed" in page.get_data(as_text=True)
    confirmed = subscriber()
    assert confirmed.receives_mail and confirmed.source == "newsletter page"
    assert confirmed.topics == ["releases", "gigs"] and confirmed.city == "Lyon"
    assert client.get(link_in(message)).status_code == 200, "a second click changes nothing"


def test_the_footer_consent_is_recorded_as_such(client, mailbox):
    sign_up(client, page="/", source="footer")
    [message] = mailbox()
    client.get(link_in(message))
    assert subscriber().source == "footer form"
    assert subscriber().topics == ["releases", "studio"]


def test_the_answer_is_the_same_whether_the_address_is_known_or_not(client, mailbox):
    add_subscriber("known@example.org")
    known = sign_up(client, email="known@example.org")
    unknown = sign_up(client, email="new@example.org")
    assert known.status_code == unknown.status_code == 200
    # CSRF tokens carry the second they were signed at: everything else is the same.
    pages = [CSRF.sub("", r.get_data(as_text=True)) for r in (known, unknown)]
    assert pages[0].replace("known@", "new@") == pages[1]
    # Only the owner of the known address learns it is subscribed: in their own inbox.
    by_recipient = {m["To"]: m["Subject"] for m in mailbox()}
    assert "You are subscribed" in by_recipient["known@example.org"]
    assert "Confirm" in by_recipient["new@example.org"]


def test_a_bad_address_re_renders_the_form_and_mails_nothing(client):
    response = sign_up(client, email="not an address", city="Lyon")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "field-error" in page and 'value="Lyon"' in page
    assert mails() == [] and subscriber("not an address") is None


def test_an_expired_confirmation_link_gets_a_clear_page(app, client):
    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 49 * 3600

    class Earlier(URLSafeTimedSerializer):
        default_signer = TwoDaysAgo

    signup = {"email": "ana@example.org", "topics": [], "city": "", "locale": "en", "source": "x"}
    token = Earlier(app.config["SECRET_KEY"], salt=CONFIRM_SALT).dumps(signup)
    response = client.get(f"/newsletter/confirm/{token}")
    assert response.status_code == 410
    assert "This confirmation link has expired" in response.get_data(as_text=True)
    assert subscriber() is None


def test_a_tampered_confirmation_link_is_refused(client, mailbox):
    sign_up(client)
    [message] = mailbox()
    link = link_in(message)
    tampered = link[:-2] + ("A" if link[-2] != "A" else "B") + link[-1]
    response = client.get(tampered)
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
    assert not subscriber().receives_mail


def test_sign_ups_are_rate_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "NEWSLETTER_SIGNUP_RATE_LIMIT", "2 per hour")
    assert sign_up(client, email="a@example.org").status_code == 200
    assert sign_up(client, email="b@example.org").status_code == 200
    refused = sign_up(client, email="c@example.org")
    assert refused.status_code == 429
    assert len(mails()) == 2


def test_unsubscribe_link_asks_then_one_post_unsubscribes(client):
    add_subscriber("ana@example.org")
    with client.application.test_request_context():
        token = address_token("ana@example.org", purpose="unsubscribe")
    page = client.get(f"/newsletter/unsubscribe/{token}")
    assert page.status_code == 200 and subscriber().receives_mail, "a GET changes nothing"
    assert "<button" in page.get_data(as_text=True)
    done = client.post(f"/newsletter/unsubscribe/{token}")  # no CSRF token, as a mail client
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert subscriber().unsubscribed_at is not None
    assert client.post("/newsletter/unsubscribe/forged").status_code == 404


def test_preferences_change_topics_and_city(client):
    add_subscriber("ana@example.org", topics=["releases"])
    with client.application.test_request_context():
        token = address_token("ana@example.org", purpose="preferences")
    url = f"/newsletter/preferences/{token}"
    token_page = client.get(url)
    assert token_page.status_code == 200
    csrf = csrf_token_from(token_page.get_data(as_text=True))
    data = {"csrf_token": csrf, "topics": ["gigs", "studio"], "city": " Lausanne "}
    assert client.post(url, data=data).status_code == 302
    assert subscriber().topics == ["gigs", "studio"] and subscriber().city == "Lausanne"
    bad = client.post(url, data={"csrf_token": csrf, "topics": ["spam"]})
    assert bad.status_code == 422 and subscriber().topics == ["gigs", "studio"]
    assert client.get("/newsletter/preferences/forged").status_code == 404


def test_a_signed_in_fan_subscribes_from_the_account_panel(client):
    fan = make_fan("fan@example.org")
    sign_in_as(client, fan)
    page = client.get("/account").get_data(as_text=True)
    assert "Subscribe to the newsletter" in page
    response = client.post("/newsletter/account", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    joined = subscriber("fan@example.org")
    assert joined.receives_mail and joined.source == "account", "no link needed"
    page = client.get("/account").get_data(as_text=True)
    assert "New releases" in page and "/newsletter/preferences/" in page


def test_a_visitor_cannot_use_the_account_button(client, post_form):
    response = post_form("/newsletter/account")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert db.session.scalars(select(Subscriber)).all() == []


def test_the_fans_data_is_exported_and_erased(app):
    fan = make_fan("ana@example.org")
    row = add_subscriber("ana@example.org", city="Lyon")
    exported = fan_data.export(db.session, fan)
    assert exported["email"] == "ana@example.org" and exported["city"] == "Lyon"
    assert exported["consent_source"] == "newsletter page" and exported["confirmed_at"]
    fan_data.erase(db.session, fan, now=utcnow())
    db.session.commit()
    assert subscriber() is None
    assert db.session.scalars(select(MailingDelivery).filter_by(subscriber_id=row.id)).all() == []
