"""A fan's passport as every screen shows it, and saving it under an email.

The view is built here once (stamps by date, each with its fragment; badges earned and
still to come), so the claim page, the passport page and the admin read one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from storefront.database import lock_row, transactional
from storefront.mail.outbox import enqueue
from storefront.quests.badges import cities_of, grant_badges
from storefront.quests.claims import passport_by_key
from storefront.quests.links import save_token
from storefront.quests.models import Badge, BadgeGrant, Passport, Quest, Stamp
from storefront.quests.times import LocalTimes, local_times


@dataclass(frozen=True)
class StampView:
    stamp: Stamp
    quest: Quest  # its message and fragment (kind, title, text)
    city: str
    venue: str
    times: LocalTimes  # the gig's night, on the venue's clock


@dataclass(frozen=True)
class BadgeView:
    badge: Badge  # name, cities, reward
    grant: BadgeGrant | None  # None: still to earn
    cities_to_go: int


@dataclass(frozen=True)
class PassportView:
    passport: Passport | None  # None: no stamp yet on this phone
    stamps: tuple[StampView, ...]  # latest first
    badges: tuple[BadgeView, ...]  # by threshold
    cities: int


def passport_view(session: Session, passport: Passport | None) -> PassportView:
    """The passport's stamps and the label's badges, earned or to come."""
    badges = session.scalars(select(Badge).order_by(Badge.cities, Badge.id)).all()
    if passport is None:
        return PassportView(None, (), tuple(BadgeView(b, None, b.cities) for b in badges), 0)
    stamps = session.scalars(
        select(Stamp)
        .where(Stamp.passport_id == passport.id)
        .options(selectinload(Stamp.quest).selectinload(Quest.gig))
        .order_by(Stamp.claimed_at.desc(), Stamp.id.desc())
    ).all()
    grants = {grant.badge_id: grant for grant in passport.badges}
    cities = cities_of(session, passport)
    return PassportView(
        passport,
        tuple(_stamp_view(stamp) for stamp in stamps),
        tuple(
            BadgeView(badge, grants.get(badge.id), max(badge.cities - cities, 0))
            for badge in badges
        ),
        cities,
    )


def _stamp_view(stamp: Stamp) -> StampView:
    gig = stamp.quest.gig
    return StampView(
        stamp,
        stamp.quest,
        gig.city,
        gig.venue,
        local_times(gig.doors_at, gig.curfew_at, gig.timezone),
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


@transactional
def mail_save_link(session: Session, passport: Passport, *, email: str) -> None:
    """Mail `email` the signed link that saves `passport` under it (`save_passport`)."""
    email = normalise_email(email)
    path = url_for("shop.passport_saved", token=save_token(passport.key, email))
    link = current_app.config["PUBLIC_URL"].rstrip("/") + path
    body = render_template("mail/passport_save.txt", link=link)
    subject = _("Save your gig passport")
    enqueue(session, recipient=email, subject=subject, body=body, kind="passport_save")


@transactional
def save_passport(session: Session, *, key: str, email: str, now: datetime) -> Passport | None:
    """Keep the passport `key` under `email`; when another passport is saved under it
    already (the fan's other phone), this one's stamps join it. The passport to keep in
    the fan's cookie, or None when `key` names no passport any more."""
    email = normalise_email(email)
    passport = passport_by_key(session, key)
    if passport is None:
        return None
    lock_row(session, Passport, passport.id)
    saved = session.scalar(select(Passport).where(Passport.email == email).with_for_update())
    if saved is None or saved.id == passport.id:
        passport.email, passport.saved_at = email, passport.saved_at or now
        return passport
    _join(session, passport, into=saved, now=now)
    return saved


def _join(session: Session, passport: Passport, *, into: Passport, now: datetime) -> None:
    """Move `passport`'s stamps and badges into `into` (one stamp per gig, one grant per
    badge), point it at `into`, and grant what the joined stamps now reach."""
    held = {stamp.quest_id for stamp in into.stamps}
    for stamp in list(passport.stamps):
        if stamp.quest_id in held:
            # The same fan at the same gig on two phones: one stamp, and its place in
            # the cap back for someone else.
            session.execute(
                update(Quest)
                .where(Quest.id == stamp.quest_id, Quest.stamps_given > 0)
                .values(stamps_given=Quest.stamps_given - 1)
            )
            session.delete(stamp)
        else:
            stamp.passport = into
    earned = {grant.badge_id for grant in into.badges}
    for grant in list(passport.badges):
        if grant.badge_id not in earned:
            grant.passport = into
    passport.joined_into_id = into.id
    session.flush()
    session.expire(into, ["stamps", "badges"])
    grant_badges(session, into, now=now)
