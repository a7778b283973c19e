"""The label's side of quests: setting a gig's quest up, rotating its key, the badges,
and the night's claims as a curve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.database import transactional
from storefront.quests.claims import window_of
from storefront.quests.links import quest_url
from storefront.quests.models import (
    Badge,
    BadgeGrant,
    BadgeReward,
    FragmentKind,
    Gig,
    Quest,
    Stamp,
)
from storefront.quests.posters import PosterText, render_poster
from storefront.quests.times import local_times

MAX_MARGIN_MINUTES = 24 * 60
CURVE_BUCKET = timedelta(minutes=15)


@dataclass(frozen=True)
class QuestFields:
    fragment_title: str
    fragment_kind: FragmentKind
    fragment_text: str
    message: str
    opens_minutes_before_doors: int
    closes_minutes_after_curfew: int
    cap: int | None
    screen_only: bool


@transactional
def save_quest(
    session: Session, gig: Gig, *, fields: QuestFields, fragment_file: str | None = None
) -> Quest:
    """Set up the gig's quest, or change it; a new fragment file replaces the old one."""
    quest = gig.quest or Quest(gig=gig, stamps_given=0, key_version=1)
    _check_quest(quest, fields, fragment_file)
    for name, value in vars(fields).items():
        setattr(quest, name, value)
    if fragment_file:
        quest.fragment_file = fragment_file
    session.add(quest)
    return quest


def _check_quest(quest: Quest, fields: QuestFields, fragment_file: str | None) -> None:
    if fields.fragment_kind == FragmentKind.TEXT and not fields.fragment_text.strip():
        raise CatalogRefused(_l("Write the fragment's text."), field="fragment_text")
    if fields.fragment_kind != FragmentKind.TEXT:
        stored_kind = quest.fragment_kind if quest.fragment_file else None
        if not fragment_file and stored_kind != fields.fragment_kind:
            raise CatalogRefused(
                _l("Upload the fragment's file (audio or image, as chosen)."),
                field="fragment_file",
            )
    if fields.cap is not None and fields.cap < (quest.stamps_given or 0):
        raise CatalogRefused(
            _l(
                "%(count)d stamps are given already: the cap cannot be lower.",
                count=quest.stamps_given,
            ),
            field="cap",
        )


@transactional
def rotate_key(session: Session, quest: Quest) -> int:
    """Void every code made so far (a leaked poster, a photo of the screen); the new
    key version, which the posters and the screen use from now on."""
    quest.key_version += 1
    return quest.key_version


def poster(quest: Quest, *, size: str, fmt: str) -> bytes:
    """The quest's poster to print (`posters.render_poster`): its QR, the city, the
    night's date on the venue's calendar, a one-line hint."""
    doors = local_times(quest.gig.doors_at, quest.gig.curfew_at, quest.gig.timezone).doors
    text = PosterText(
        city=quest.gig.city,
        date_line=f"{format_date(doors.date(), 'full')} · {quest.gig.venue}",
        hint=_("Scan me: a fragment of tonight, for you only."),
    )
    return render_poster(quest_url(quest), text, size=size, fmt=fmt)


@dataclass(frozen=True)
class BadgeFields:
    name: str
    cities: int
    reward: BadgeReward
    reward_title: str
    discount_percent: int | None


def _check_badge(fields: BadgeFields, has_file: bool) -> None:
    if fields.reward == BadgeReward.DISCOUNT and not fields.discount_percent:
        raise CatalogRefused(_l("Say how much the code takes off."), field="discount_percent")
    if fields.reward == BadgeReward.FILE and not has_file:
        raise CatalogRefused(_l("Upload the file the badge gives."), field="reward_file")


@transactional
def save_badge(
    session: Session,
    badge: Badge | None,
    *,
    fields: BadgeFields,
    reward_file: str | None = None,
) -> Badge:
    """Add a badge (`badge` None) or change one."""
    badge = badge or Badge()
    _check_badge(fields, has_file=bool(reward_file or badge.reward_file))
    for name, value in vars(fields).items():
        setattr(badge, name, value)
    if fields.reward == BadgeReward.FILE:
        badge.discount_percent = None
        badge.reward_file = reward_file or badge.reward_file
    session.add(badge)
    return badge


@dataclass(frozen=True)
class BadgeRow:
    badge: Badge
    earned: int  # passports holding it
    removable: bool  # nobody has earned it: `delete_badge` agrees


def badge_rows(session: Session) -> list[BadgeRow]:
    """Every badge with how many fans earned it, by threshold."""
    earned = dict(
        session.execute(
            select(BadgeGrant.badge_id, func.count(BadgeGrant.id)).group_by(BadgeGrant.badge_id)
        ).all()
    )
    badges = session.scalars(select(Badge).order_by(Badge.cities, Badge.id)).all()
    return [BadgeRow(badge, earned.get(badge.id, 0), not earned.get(badge.id)) for badge in badges]


@transactional
def delete_badge(session: Session, badge: Badge) -> None:
    """Remove a badge nobody has earned yet."""
    if session.scalar(select(BadgeGrant.id).where(BadgeGrant.badge_id == badge.id).limit(1)):
        raise CatalogRefused(_l("Fans have earned this badge: it stays."))
    session.delete(badge)


@dataclass(frozen=True)
class CurvePoint:
    at: datetime  # the start of a quarter of an hour (UTC)
    stamps: int


def claims_curve(session: Session, quest: Quest) -> list[CurvePoint]:
    """Stamps per quarter of an hour across the quest's window, empty quarters included."""
    window = window_of(quest)
    times = session.scalars(select(Stamp.claimed_at).where(Stamp.quest_id == quest.id)).all()
    buckets = max(-(-(window.closes_at - window.opens_at) // CURVE_BUCKET), 1)
    counts = [0] * buckets
    for at in times:
        # A window edited after the night still counts every stamp, at its edge.
        index = min(max(int((at - window.opens_at) / CURVE_BUCKET), 0), buckets - 1)
        counts[index] += 1
    return [
        CurvePoint(window.opens_at + index * CURVE_BUCKET, count)
        for index, count in enumerate(counts)
    ]
