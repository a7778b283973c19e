"""Sending a mailing: a test to the admin, then to its segment a few per minute.

Each run of the send job queues at most NEWSLETTER_RATE_PER_MINUTE messages a minute
into the outbox (the outbox worker delivers them). A subscriber's delivery row is
written before their message, under a unique constraint, and runs are serialised, so a
restarted or concurrent run never mails anyone twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.database import serialize_on, transactional
from storefront.errors import InvalidTransition
from storefront.links import public_urls
from storefront.mail.outbox import enqueue
from storefront.newsletter.markup import render_html
from storefront.newsletter.models import Mailing, MailingDelivery, Subscriber, SubscriberCount
from storefront.newsletter.segments import Segment, select_subscribers
from storefront.newsletter.subscriptions import preferences_url, unsubscribe_url
from storefront.orders.fans import fan_key

KIND = "newsletter"
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Letter:
    """One rendered mail of a mailing, with the headers mail clients unsubscribe by."""

    subject: str
    body: str
    html: str
    headers: dict[str, str]


def letter_for(mailing: Mailing, *, email_key: str, locale: str) -> Letter:
    """`mailing` as `email_key` receives it: text, HTML, its unsubscribe and preferences
    links. Links are made for PUBLIC_URL, whatever request (or none: the job) sends it."""
    with public_urls(), force_locale(locale):
        unsubscribe = unsubscribe_url(email_key)
        context = dict(
            mailing=mailing, html=render_html(mailing.body), unsubscribe=unsubscribe,
            preferences=preferences_url(email_key),
        )  # fmt: skip
        body = render_template("mail/newsletter.txt", **context)
        html = render_template("mail/newsletter.html", **context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Letter(mailing.subject, body, html, headers)


@transactional
def send_test(session: Session, mailing: Mailing, *, email: str, locale: str, now: datetime):
    """The mailing, as subscribers will get it, to `email` (the admin's own address)."""
    letter = letter_for(mailing, email_key=fan_key(email), locale=locale)
    _enqueue(session, email, letter, subject=_("[Test] %(subject)s", subject=letter.subject))
    mailing.test_sent_at = now


@transactional
def start_sending(session: Session, mailing: Mailing, *, now: datetime) -> None:
    """Hand the mailing to the send job (once: a second press changes nothing)."""
    started = session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.send_started_at.is_(None))
        .values(send_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not started:
        raise InvalidTransition(_("This mailing is already being sent."))
    session.refresh(mailing)


@transactional
def send_due(session: Session, *, now: datetime, rate: int) -> int:
    """Queue the next messages of the mailings being sent, at most `rate` in any minute;
    mailings with nobody left are finished. How many were queued."""
    # The first statement writes, so concurrent runs wait here for each other on SQLite
    # too, and each sees what the one before it queued.
    session.execute(
        update(Mailing)
        .where(Mailing.send_started_at.is_not(None), Mailing.finished_at.is_(None))
        .values(sent_count=Mailing.sent_count)
        .execution_options(synchronize_session=False)
    )
    serialize_on(session, "newsletter-send")
    budget = rate - _queued_since(session, now - MINUTE)
    queued = 0
    for mailing in _sending(session):
        if budget - queued <= 0:
            break
        queued += _send_some(session, mailing, now=now, limit=budget - queued)
    return queued


def _queued_since(session: Session, moment: datetime) -> int:
    query = select(func.count()).where(MailingDelivery.queued_at > moment)
    return session.scalar(query.select_from(MailingDelivery)) or 0


def _sending(session: Session) -> list[Mailing]:
    return list(
        session.scalars(
            select(Mailing)
            .where(Mailing.send_started_at.is_not(None), Mailing.finished_at.is_(None))
            .order_by(Mailing.send_started_at, Mailing.id)
        )
    )


def _send_some(session: Session, mailing: Mailing, *, now: datetime, limit: int) -> int:
    served = set(
        session.scalars(
            select(MailingDelivery.subscriber_id).where(MailingDelivery.mailing_id == mailing.id)
        )
    )
    segment = Segment.from_json(mailing.segment)
    waiting = [s for s in select_subscribers(session, segment, now) if s.id not in served]
    for subscriber in waiting[:limit]:
        _deliver(session, mailing, subscriber, now=now)
    mailing.sent_count += min(limit, len(waiting))
    if len(waiting) <= limit:
        mailing.finished_at = now
    return min(limit, len(waiting))


def _deliver(session: Session, mailing: Mailing, subscriber: Subscriber, *, now: datetime):
    delivery = MailingDelivery(mailing_id=mailing.id, subscriber_id=subscriber.id, queued_at=now)
    session.add(delivery)
    session.flush()  # the unique row first: a duplicate fails here, before any mail
    letter = letter_for(mailing, email_key=subscriber.email_key, locale=subscriber.locale)
    delivery.outbox_message_id = _enqueue(session, subscriber.email, letter).id


def _enqueue(session: Session, email: str, letter: Letter, *, subject: str | None = None):
    message = enqueue(
        session, recipient=email, subject=subject or letter.subject, body=letter.body,
        kind=KIND, headers=letter.headers, html=letter.html,
    )  # fmt: skip
    session.flush()
    return message


@transactional
def count_subscribers(session: Session, *, now: datetime) -> int:
    """Write today's count of subscribers receiving the newsletter (again: replaced)."""
    count = session.scalar(
        select(func.count())
        .select_from(Subscriber)
        .where(Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None))
    )
    today = session.scalar(select(SubscriberCount).where(SubscriberCount.day == now.date()))
    if today is None:
        session.add(SubscriberCount(day=now.date(), count=count))
    else:
        today.count = count
    return count
