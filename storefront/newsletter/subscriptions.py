"""Joining and leaving the list: double opt-in by a signed, expiring link; one-click
unsubscribe; preferences; a signed-in fan (email already proven) joins at once."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.mail.outbox import enqueue
from storefront.newsletter.links import SignUp, address_token, confirm_token
from storefront.newsletter.models import Subscriber, Topic
from storefront.orders.fans import fan_key

TOPICS = tuple(Topic)


def subscriber_for(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email_key == fan_key(email)))


def clean_topics(topics: list[str]) -> list[str]:
    """The known topics among `topics`, in the list's order."""
    return [topic.value for topic in TOPICS if topic.value in topics]


@transactional
def request_subscription(session: Session, request: SignUp, *, now: datetime) -> None:
    """Mail `request.email` its confirmation link (or, already subscribed, its
    preferences link): nothing else changes until the link is opened, and the caller
    answers the same whether the address was known or not."""
    subscriber = _row_for(session, request.email, now=now)
    if subscriber.receives_mail:
        link = preferences_url(subscriber.email_key)
        _mail(session, subscriber.email, "already", request.locale, link=link)
        return
    subscriber.requested_at = now
    link = _public(url_for("shop.newsletter_confirm", token=confirm_token(request)))
    _mail(session, request.email, "confirm", request.locale, link=link)


@transactional
def confirm_subscription(session: Session, request: SignUp, *, now: datetime) -> Subscriber:
    """Record the consent a confirmation link carries (again, if it is opened twice)."""
    subscriber = _row_for(session, request.email, now=now)
    if subscriber.receives_mail:
        return subscriber  # a second click changes nothing
    _consent(subscriber, request, now=now)
    return subscriber


def _row_for(session: Session, email: str, *, now: datetime) -> Subscriber:
    """The address's row, made (not yet confirmed) if it has none. Two sign-ups of one
    new address at once: the second finds the first's row instead of failing."""
    subscriber = subscriber_for(session, email)
    if subscriber is None:
        try:
            with session.begin_nested():
                subscriber = Subscriber(email=email, email_key=fan_key(email), requested_at=now)
                session.add(subscriber)
        except IntegrityError:
            subscriber = subscriber_for(session, email)
    return subscriber


def _consent(subscriber: Subscriber, request: SignUp, *, now: datetime) -> None:
    subscriber.email = request.email
    subscriber.topics = clean_topics(request.topics)
    subscriber.city = request.city.strip()
    subscriber.locale = request.locale
    subscriber.source = request.source
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None


@transactional
def subscribe_verified(session: Session, request: SignUp, *, now: datetime) -> Subscriber:
    """A signed-in fan joins: their email is proven by their sign-in, no link needed."""
    subscriber = _row_for(session, request.email, now=now)
    if not subscriber.receives_mail:
        _consent(subscriber, request, now=now)
    return subscriber


@transactional
def unsubscribe(session: Session, email_key: str, *, now: datetime) -> Subscriber | None:
    """Stop every mailing to `email_key` (once: the first date is kept)."""
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email_key == email_key))
    if subscriber is not None and subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now
    return subscriber


@transactional
def update_preferences(session: Session, subscriber: Subscriber, *, topics: list[str], city: str):
    subscriber.topics = clean_topics(topics)
    subscriber.city = city.strip()


def preferences_url(email_key: str) -> str:
    token = address_token(email_key, purpose="preferences")
    return _public(url_for("shop.newsletter_preferences", token=token))


def unsubscribe_url(email_key: str) -> str:
    token = address_token(email_key, purpose="unsubscribe")
    return _public(url_for("shop.newsletter_unsubscribe", token=token))


def _public(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


SUBJECTS = {
    "confirm": lambda: _("Confirm your subscription to the %(label)s newsletter"),
    "already": lambda: _("You are subscribed to the %(label)s newsletter"),
}


def _mail(session: Session, email: str, kind: str, locale: str, *, link: str) -> None:
    label = current_app.config["LABEL_NAME"]
    with force_locale(locale):
        subject = SUBJECTS[kind]() % {"label": label}
        body = render_template(f"mail/newsletter_{kind}.txt", link=link)
    enqueue(session, recipient=email, subject=subject, body=body, kind=f"newsletter_{kind}")
