"""Tours and their gigs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime
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
