"""Subscribers (double opt-in consent), the label's mailings, who got each one, and the
daily count of subscribers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class Topic(StrEnum):
    RELEASES = "releases"  # new releases
    GIGS = "gigs"  # gigs near the subscriber's city
    STUDIO = "studio"  # studio news


class Source(StrEnum):
    """Where a subscriber's consent was given."""

    FOOTER = "footer form"
    PAGE = "newsletter page"
    ACCOUNT = "account"
    CHECKOUT = "checkout"


class Subscriber(db.Model):
    """One address on the list. Receives mailings only once confirmed (`confirmed_at`,
    the consent date) and while not unsubscribed."""

    __tablename__ = "newsletter_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # `storefront.orders.fans.fan_key(email)`: the same person as their orders, account,
    # passport and backings.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    city: Mapped[str] = mapped_column(String(80), default="", server_default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    # A `Source` value: where the consent came from.
    source: Mapped[str] = mapped_column(String(40), default="", server_default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def receives_mail(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Mailing(db.Model):
    """A message of the label to (a segment of) the list, sent a few per minute."""

    __tablename__ = "newsletter_mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    # Plain text with a Markdown subset (`storefront.newsletter.markup`).
    body: Mapped[str] = mapped_column(Text)
    # `storefront.newsletter.segments.Segment.to_json()`: who it goes to.
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    test_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once by the admin's "send": the job then queues it, a few per minute.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_count: Mapped[int] = mapped_column(default=0)

    @property
    def status(self) -> str:
        if self.finished_at:
            return "sent"
        return "sending" if self.send_started_at else "draft"


class MailingDelivery(db.Model):
    """One mailing queued for one subscriber: written before its outbox message, so a
    restarted or concurrent send never mails anyone twice."""

    __tablename__ = "newsletter_delivery"
    __table_args__ = (
        UniqueConstraint("mailing_id", "subscriber_id", name="one_delivery_per_subscriber"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_mailing.id", ondelete="CASCADE"), index=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_subscriber.id", ondelete="CASCADE"), index=True
    )
    # The outbox's message (mail domain, no foreign key: the outbox may be pruned).
    outbox_message_id: Mapped[int | None]
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    mailing: Mapped[Mailing] = relationship()
    subscriber: Mapped[Subscriber] = relationship()


class SubscriberCount(db.Model):
    """How many addresses received the newsletter (confirmed, subscribed) on a day."""

    __tablename__ = "newsletter_subscriber_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    count: Mapped[int]
