"""The newsletter in a fan's account: its /account panel and its part of the privacy
export and erasure (registered in `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storefront.fans.models import Fan
from storefront.fans.plugins import AccountPanel
from storefront.newsletter.models import MailingDelivery, Subscriber, Topic
from storefront.newsletter.subscriptions import preferences_url

TOPIC_NAMES = {
    Topic.RELEASES: _l("New releases"),
    Topic.GIGS: _l("Gigs near my city"),
    Topic.STUDIO: _l("Studio news"),
}


@dataclass(frozen=True)
class NewsletterPanel:
    subscribed: bool
    topics: list[str]  # their names, in the fan's language
    city: str
    preferences_url: str | None


def _subscriber(session: Session, fan: Fan) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email_key == fan.email_key))


def build_panel(session: Session, fan: Fan, now: datetime) -> NewsletterPanel:
    """What /account shows of the newsletter: the topics and a preferences link, or a
    button to join."""
    subscriber = _subscriber(session, fan)
    if subscriber is None or not subscriber.receives_mail:
        return NewsletterPanel(False, [], "", None)
    names = [str(TOPIC_NAMES[Topic(t)]) for t in subscriber.topics if t in TOPIC_NAMES]
    return NewsletterPanel(True, names, subscriber.city, preferences_url(subscriber.email_key))


panel = AccountPanel(template="account/_newsletter.html", build=build_panel)


class NewsletterData:
    """The fan's subscriber row. Erasing deletes it with its delivery rows: a mailing's
    `sent_count` keeps how many received it, and nothing else needs the address."""

    name = "newsletter"

    def export(self, session: Session, fan: Fan) -> Any:
        subscriber = _subscriber(session, fan)
        if subscriber is None:
            return None
        received = session.scalar(
            select(func.count())
            .select_from(MailingDelivery)
            .where(MailingDelivery.subscriber_id == subscriber.id)
        )
        times = ("requested_at", "confirmed_at", "unsubscribed_at")
        fields = {name: getattr(subscriber, name) for name in times}
        return {
            "email": subscriber.email,
            "city": subscriber.city,
            "topics": list(subscriber.topics or []),
            "locale": subscriber.locale,
            "consent_source": subscriber.source,
            **{name: value.isoformat() if value else None for name, value in fields.items()},
            "mailings_received": received,
        }

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        subscriber = _subscriber(session, fan)
        if subscriber is None:
            return
        session.execute(
            delete(MailingDelivery).where(MailingDelivery.subscriber_id == subscriber.id)
        )
        session.delete(subscriber)


fan_data = NewsletterData()
