"""Tours and their gigs; a gig's quest, the fans' passports, their stamps and badges."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class Tour(db.Model):
    __tablename__ = "tour"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    artist: Mapped[str] = mapped_column(String(120))

    gigs: Mapped[list[Gig]] = relationship(
        back_populates="tour", order_by="Gig.doors_at", cascade="all, delete-orphan"
    )


class Gig(db.Model):
    """One night: doors and curfew stored in UTC, shown in the venue's time zone."""

    __tablename__ = "gig"
    __table_args__ = (CheckConstraint("curfew_at > doors_at", name="curfew_after_doors"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tour.id", ondelete="CASCADE"), index=True)
    city: Mapped[str] = mapped_column(String(80))
    venue: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166 alpha-2
    timezone: Mapped[str] = mapped_column(String(64))  # IANA: Europe/Zurich
    doors_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    curfew_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")

    tour: Mapped[Tour] = relationship(back_populates="gigs")
    quest: Mapped[Quest | None] = relationship(back_populates="gig", cascade="all, delete-orphan")


class FragmentKind(StrEnum):
    AUDIO = "audio"
    IMAGE = "image"
    TEXT = "text"


class Quest(db.Model):
    """What a gig's QR unlocks: a fragment of that night and a message for that city."""

    __tablename__ = "quest"
    __table_args__ = (
        CheckConstraint("cap IS NULL OR stamps_given <= cap", name="stamps_within_cap"),
        CheckConstraint("key_version >= 1", name="key_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id", ondelete="CASCADE"), unique=True)
    message: Mapped[str] = mapped_column(Text, default="")
    fragment_title: Mapped[str] = mapped_column(String(120))
    fragment_kind: Mapped[str] = mapped_column(String(8), default=FragmentKind.TEXT)
    fragment_file: Mapped[str | None] = mapped_column(String(255))  # under PRIVATE_DIR
    fragment_text: Mapped[str] = mapped_column(Text, default="")
    # Part of every code: bumping it (the admin's "rotate key") voids every code printed
    # or photographed so far.
    key_version: Mapped[int] = mapped_column(default=1)
    opens_minutes_before_doors: Mapped[int] = mapped_column(default=60)
    closes_minutes_after_curfew: Mapped[int] = mapped_column(default=180)
    # Only the rotating screen's codes: a poster's (or its photo's) is refused.
    screen_only: Mapped[bool] = mapped_column(default=False)
    cap: Mapped[int | None]
    stamps_given: Mapped[int] = mapped_column(default=0)

    gig: Mapped[Gig] = relationship(back_populates="quest")


class Passport(db.Model):
    """A fan's stamps, kept by the key in their signed cookie (no account needed), and by
    their email once they saved it."""

    __tablename__ = "passport"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Saved under an email another phone had saved first: its stamps moved there, and
    # its key (still in this phone's cookie) leads there.
    joined_into_id: Mapped[int | None] = mapped_column(ForeignKey("passport.id"))

    stamps: Mapped[list[Stamp]] = relationship(
        back_populates="passport", order_by="Stamp.claimed_at", cascade="all, delete-orphan"
    )
    badges: Mapped[list[BadgeGrant]] = relationship(
        back_populates="passport", order_by="BadgeGrant.id", cascade="all, delete-orphan"
    )


class Stamp(db.Model):
    """One fan was at one gig: one stamp per passport and quest, however often they scan."""

    __tablename__ = "stamp"
    __table_args__ = (UniqueConstraint("quest_id", "passport_id", name="one_stamp_per_fan"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quest_id: Mapped[int] = mapped_column(ForeignKey("quest.id"), index=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quest: Mapped[Quest] = relationship()
    passport: Mapped[Passport] = relationship(back_populates="stamps")


class BadgeReward(StrEnum):
    FILE = "file"  # a bonus track (or any file), played and downloaded by signed link
    DISCOUNT = "discount"  # a code usable once in the shop


class Badge(db.Model):
    """A reward for stamps from `cities` different cities, set by the label."""

    __tablename__ = "badge"
    __table_args__ = (
        CheckConstraint("cities >= 1", name="cities_positive"),
        CheckConstraint(
            "discount_percent IS NULL OR (discount_percent >= 1 AND discount_percent <= 100)",
            name="discount_percent_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    cities: Mapped[int]
    reward: Mapped[str] = mapped_column(String(8))
    reward_title: Mapped[str] = mapped_column(String(120), default="")
    reward_file: Mapped[str | None] = mapped_column(String(255))  # under PRIVATE_DIR
    discount_percent: Mapped[int | None]


class BadgeGrant(db.Model):
    """A badge one passport earned: granted once, whatever the races between claims."""

    __tablename__ = "badge_grant"
    __table_args__ = (UniqueConstraint("badge_id", "passport_id", name="one_grant_per_fan"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id"), index=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    discount_code: Mapped[str | None] = mapped_column(String(24))

    badge: Mapped[Badge] = relationship()
    passport: Mapped[Passport] = relationship(back_populates="badges")
