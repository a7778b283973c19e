"""Sending a mailing: a few per minute, nobody twice (a restarted run, two runs at once),
with the headers mail clients unsubscribe by, delivered through real SMTP."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.newsletter import sending
from storefront.newsletter.models import Mailing, MailingDelivery, SubscriberCount
from storefront.newsletter.sending import count_subscribers, send_due
from tests.conftest import fresh
from tests.support.payments import mails
from tests.web.test_newsletter_segments import add_subscriber


def mailing(segment=None, **fields) -> Mailing:
    """A mailing the admin has pressed "send" on."""
    row = Mailing(
        subject=fields.pop("subject", "Grains de sable, the new LP"),
        body=fields.pop("body", "It is **out**.\n\n- vinyl\n- [listen](https://x.example/l)"),
        segment=segment or {"kind": "all", "value": ""},
        created_by="admin@bruitblanc.example",
        send_started_at=utcnow(),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def subscribers(count: int) -> None:
    for n in range(count):
        add_subscriber(f"fan{n}@example.org")


def recipients() -> Counter:
    return Counter(message.recipient for message in mails("newsletter"))


def test_the_mail_carries_one_click_unsubscribe_headers_and_an_html_part(
    app, client, smtp_server, monkeypatch
):
    url, mailbox = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://shop.bruitblanc.example")
    add_subscriber("ana@example.org")
    mailing(body="It is **out** <script>x</script>")
    runner = app.test_cli_runner()
    assert "queued 1" in runner.invoke(args=["newsletter", "send"]).output
    assert "sent 1" in runner.invoke(args=["mail", "send"]).output
    [message] = mailbox.messages
    assert message["To"] == "ana@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message["List-Unsubscribe"]
    assert header.startswith("<https://shop.bruitblanc.example/newsletter/unsubscribe/")
    assert header.endswith(">")
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert "It is **out** <script>x</script>" in text and "/newsletter/preferences/" in text
    assert "<strong>out</strong> &lt;script&gt;" in html and "<script>" not in html
    # The mail client's one-click POST: no cookie, no CSRF token, just that body.
    response = client.post(
        urlsplit(header.strip("<>")).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert send_due(db.session, now=utcnow(), rate=10) == 0
    mailing()
    assert send_due(db.session, now=utcnow() + timedelta(minutes=1), rate=10) == 0, "unsubscribed"


def test_sending_is_bounded_per_minute(app):
    subscribers(7)
    letter = mailing()
    now = utcnow()
    queued = [send_due(db.session, now=now + timedelta(minutes=m), rate=3) for m in range(4)]
    assert queued == [3, 3, 1, 0]
    assert fresh(letter).finished_at is not None and fresh(letter).sent_count == 7
    assert set(recipients().values()) == {1} and len(recipients()) == 7


def test_a_second_run_in_the_same_minute_waits_for_the_next(app, monkeypatch):
    monkeypatch.setitem(app.config, "NEWSLETTER_RATE_PER_MINUTE", 3)
    subscribers(7)
    mailing()
    runner = app.test_cli_runner()
    assert "queued 3" in runner.invoke(args=["newsletter", "send"]).output
    assert "queued 0" in runner.invoke(args=["newsletter", "send"]).output
    assert len(recipients()) == 3


def test_unconfirmed_and_unsubscribed_addresses_get_nothing(app):
    add_subscriber("in@example.org")
    add_subscriber("pending@example.org", confirmed=False)
    add_subscriber("gone@example.org", unsubscribed=True)
    mailing()
    send_due(db.session, now=utcnow(), rate=100)
    assert recipients() == Counter({"in@example.org": 1})


def test_a_send_that_broke_off_is_resumed_without_mailing_anyone_twice(app, monkeypatch):
    subscribers(5)
    letter = mailing()
    real = sending.letter_for
    calls = iter(range(100))

    def breaks_on_the_third(*args, **kwargs):
        if next(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(sending, "letter_for", breaks_on_the_third)
    with pytest.raises(OSError):
        send_due(db.session, now=utcnow(), rate=100)
    assert recipients() == Counter() and fresh(letter).sent_count == 0, "all or nothing"
    monkeypatch.setattr(sending, "letter_for", real)
    assert send_due(db.session, now=utcnow(), rate=100) == 5
    assert send_due(db.session, now=utcnow() + timedelta(minutes=5), rate=100) == 0
    assert set(recipients().values()) == {1} and len(recipients()) == 5


def test_two_runs_at_once_mail_nobody_twice_and_keep_the_rate(app):
    subscribers(12)
    mailing()
    now = utcnow()
    start = Barrier(2)

    def run(_index: int) -> int:
        with app.app_context():
            start.wait()
            try:
                return send_due(db.session, now=now, rate=10)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        queued = sorted(pool.map(run, range(2)))
    assert queued == [0, 10], "the second run sees the first one's minute"
    assert set(recipients().values()) == {1} and len(recipients()) == 10
    deliveries = db.session.scalar(select(func.count()).select_from(MailingDelivery))
    assert deliveries == 10


def test_the_daily_count_is_written_once_per_day(app):
    subscribers(3)
    add_subscriber("pending@example.org", confirmed=False)
    now = utcnow()
    assert count_subscribers(db.session, now=now) == 3
    add_subscriber("late@example.org")
    assert count_subscribers(db.session, now=now) == 4
    rows = db.session.scalars(select(SubscriberCount)).all()
    assert [(row.day, row.count) for row in rows] == [(now.date(), 4)]
