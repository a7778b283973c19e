"""The label's side of the newsletter: writing a mailing, and what its page shows
(who it goes to, how many, a preview)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.database import transactional
from storefront.members.models import Tier
from storefront.newsletter.markup import render_html
from storefront.newsletter.models import Mailing, Subscriber
from storefront.newsletter.plugins import TOPIC_NAMES
from storefront.newsletter.segments import Segment, SegmentKind, select_subscribers
from storefront.preorders.models import Campaign

PREVIEW_SIZE = 20


@dataclass(frozen=True)
class MailingFields:
    subject: str
    body: str
    segment: Segment


@transactional
def create_mailing(session: Session, fields: MailingFields, *, created_by: str) -> Mailing:
    mailing = Mailing(
        subject=fields.subject,
        body=fields.body,
        segment=fields.segment.to_json(),
        created_by=created_by,
    )
    session.add(mailing)
    return mailing


@dataclass(frozen=True)
class ListFigures:
    receiving: int  # confirmed, not unsubscribed
    waiting: int  # asked, not confirmed yet
    unsubscribed: int


def list_figures(session: Session) -> ListFigures:
    def count(*conditions) -> int:
        return session.scalar(select(func.count()).select_from(Subscriber).where(*conditions))

    confirmed, left = Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at
    return ListFigures(
        receiving=count(confirmed, left.is_(None)),
        waiting=count(Subscriber.confirmed_at.is_(None)),
        unsubscribed=count(confirmed, left.is_not(None)),
    )


def mailings(session: Session) -> list[Mailing]:
    return list(session.scalars(select(Mailing).order_by(Mailing.id.desc())))


@dataclass(frozen=True)
class MailingView:
    mailing: Mailing
    audience: str  # the segment, in words
    count: int
    preview_emails: list[str]  # the first PREVIEW_SIZE recipients
    html: str  # the body as the HTML part renders it


def mailing_view(session: Session, mailing: Mailing, *, now: datetime) -> MailingView:
    segment = Segment.from_json(mailing.segment)
    recipients = select_subscribers(session, segment, now)
    return MailingView(
        mailing=mailing,
        audience=describe(session, segment),
        count=len(recipients),
        preview_emails=[s.email for s in recipients[:PREVIEW_SIZE]],
        html=render_html(mailing.body),
    )


def describe(session: Session, segment: Segment) -> str:
    """Who `segment` names, for the label."""
    kind, value = segment.kind, segment.value
    if kind is SegmentKind.ALL:
        return _("Every subscriber")
    if kind is SegmentKind.TOPIC:
        return _("Subscribers to: %(topic)s", topic=TOPIC_NAMES.get(value, value))
    if kind is SegmentKind.CITY:
        return _("Subscribers in %(city)s", city=value)
    if kind is SegmentKind.QUEST_CITY:
        return _("Passports stamped at a gig in %(city)s", city=value)
    model = {SegmentKind.TIER: Tier, SegmentKind.RELEASE: Release, SegmentKind.CAMPAIGN: Campaign}
    row = session.get(model[kind], int(value)) if value.isdigit() else None
    if kind is SegmentKind.TIER:
        return _("Members of the %(tier)s tier", tier=row.name if row else "?")
    if kind is SegmentKind.RELEASE:
        return _("Buyers of %(release)s", release=row.title if row else "?")
    return _("Backers of the %(release)s campaign", release=row.release.title if row else "?")


def segment_choices(session: Session) -> dict[str, list[tuple[int, str]]]:
    """What the compose form offers for tiers, releases and campaigns."""
    tiers = session.scalars(select(Tier).order_by(Tier.position, Tier.id))
    releases = session.scalars(select(Release).order_by(Release.title))
    campaigns = session.scalars(select(Campaign).order_by(Campaign.opens_at.desc()))
    return {
        "tier": [(t.id, t.name) for t in tiers],
        "release": [(r.id, f"{r.artist} — {r.title}") for r in releases],
        "campaign": [(c.id, f"{c.release.title} ({c.opens_at:%Y-%m-%d})") for c in campaigns],
    }
