"""Claiming a stamp: a fan opens a quest's code and their passport gets that gig's stamp.

One stamp per passport and quest however often the fan scans (a unique constraint, the
race's referee); a quest's cap is a conditional UPDATE on its counter, so it holds under
simultaneous claims; a fan's claims run one after the other, so the badges they cross
are granted once, by the claim that crossed them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storefront.database import serialize_on
from storefront.quests.badges import grant_badges
from storefront.quests.codes import (
    CodeInvalid,
    QuestCode,
    Refusal,
    Timing,
    Window,
    judge,
    quest_window,
    read_code,
)
from storefront.quests.models import BadgeGrant, Gig, Passport, Quest, Stamp


class ClaimOutcome(StrEnum):
    STAMPED = "stamped"
    ALREADY = "already"  # this passport had tonight's stamp
    FULL = "full"  # every stamp of the quest's cap is given


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    passport: Passport
    stamp: Stamp | None  # the passport's stamp for this quest (None when FULL)
    new_badges: list[BadgeGrant] = field(default_factory=list)


def new_passport_key() -> str:
    """An unguessable passport key (128 random bits), what the fan's cookie holds."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Scan:
    """What a scanned code opens at a moment: its quest, window and timing, or the
    reason it is refused."""

    refusal: Refusal | None
    quest: Quest | None = None
    window: Window | None = None
    timing: Timing | None = None


def scan(session: Session, *, secret: str, token: str, now: datetime) -> Scan:
    """Read and judge a scanned code (`codes`), and find what it opens."""
    try:
        code = read_code(secret, token)
    except CodeInvalid:
        return Scan(Refusal.INVALID)
    quest = quest_for_code(session, code)
    if quest is None:
        return Scan(Refusal.INVALID)
    refusal = judge(
        code,
        gig_id=quest.gig_id,
        key_version=quest.key_version,
        screen_only=quest.screen_only,
        now=now,
    )
    if refusal is not None:
        return Scan(refusal)
    window = window_of(quest)
    return Scan(None, quest, window, window.timing(now))


def quest_for_code(session: Session, code: QuestCode) -> Quest | None:
    """The quest of the gig a code names, with its gig and tour (one query)."""
    return session.scalar(
        select(Quest)
        .where(Quest.gig_id == code.gig_id)
        .options(joinedload(Quest.gig).joinedload(Gig.tour))
    )


def window_of(quest: Quest) -> Window:
    """When the quest's codes are honoured (its gig's times and the quest's margins)."""
    return quest_window(
        quest.gig.doors_at,
        quest.gig.curfew_at,
        opens_before=timedelta(minutes=quest.opens_minutes_before_doors),
        closes_after=timedelta(minutes=quest.closes_minutes_after_curfew),
    )


def passport_by_key(session: Session, key: str | None) -> Passport | None:
    """The passport a cookie's key names: the one it joined, once saved on two phones."""
    found = session.scalar(select(Passport).where(Passport.key == key)) if key else None
    if found is not None and found.joined_into_id:
        return session.get(Passport, found.joined_into_id)
    return found


def stamp_of(session: Session, quest: Quest, passport: Passport) -> Stamp | None:
    return session.scalar(
        select(Stamp).where(Stamp.quest_id == quest.id, Stamp.passport_id == passport.id)
    )


def claim_stamp(
    session: Session, *, quest: Quest, passport_key: str | None, now: datetime
) -> Claim:
    """Give the passport named by `passport_key` (a new one when the fan has none) its
    stamp for `quest`, within the quest's cap; then the badges it earns."""
    passport = passport_by_key(session, passport_key)
    if passport is not None and (stamp := stamp_of(session, quest, passport)):
        return Claim(ClaimOutcome.ALREADY, passport, stamp)
    try:
        return _claim(session, quest, passport, now)
    except IntegrityError:
        # The same fan's other scan committed first: theirs is the stamp.
        session.rollback()
        passport = passport_by_key(session, passport_key)
        if passport is None or not (stamp := stamp_of(session, quest, passport)):
            raise
        return Claim(ClaimOutcome.ALREADY, passport, stamp)


def _claim(session: Session, quest: Quest, passport: Passport | None, now: datetime) -> Claim:
    new = passport is None
    if passport is None:
        passport = Passport(key=new_passport_key(), created_at=now)
        session.add(passport)
    stamp = Stamp(quest_id=quest.id, passport=passport, claimed_at=now)
    session.add(stamp)
    session.flush()
    if not new:
        # The fan's claims at other gigs wait here, so badge counts see each other's
        # stamps (a passport made just now has no other claim).
        serialize_on(session, f"passport:{passport.id}")
    granted = grant_badges(session, passport, now=now, cities=1 if new else None)
    # Counted last: on PostgreSQL the quest's row, which every claim of the night
    # updates, stays locked only for the commit.
    if not _count_stamp(session, quest):
        session.rollback()
        return Claim(ClaimOutcome.FULL, Passport(key=new_passport_key()) if new else passport, None)
    session.commit()
    return Claim(ClaimOutcome.STAMPED, passport, stamp, granted)


def _count_stamp(session: Session, quest: Quest) -> bool:
    """Count one more stamp if the cap allows; False (nothing counted) when it is full."""
    return (
        session.execute(
            update(Quest)
            .where(
                Quest.id == quest.id,
                or_(Quest.cap.is_(None), Quest.stamps_given < Quest.cap),
            )
            .values(stamps_given=Quest.stamps_given + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
