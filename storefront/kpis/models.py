"""What the indicators need that no other domain keeps: release-page visitors, the
editable zones of each indicator, and the organic playlist adds the label types in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class ReleaseVisit(db.Model):
    """One visitor of a release page on one (UTC) day. `visitor` is a keyed hash of the
    day, the client's address and user agent under a secret that changes every day, so
    two days' rows of one person cannot be joined and no address is stored."""

    __tablename__ = "kpi_release_visit"
    __table_args__ = (
        UniqueConstraint("release_id", "day", "visitor", name="uq_kpi_visit_release_day_visitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    visitor: Mapped[str] = mapped_column(String(32))


class IndicatorZone(db.Model):
    """The label's own healthy zone and alert threshold for one indicator, in hundredths
    of the unit it is read in (basis points for a percentage, cents for money)."""

    __tablename__ = "kpi_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), unique=True)
    healthy: Mapped[int]
    alert: Mapped[int]
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaylistAdds(db.Model):
    """Organic playlist adds counted by hand for the week starting on Monday `week`: for
    one release, or for the label as a whole (`release_id` None)."""

    __tablename__ = "kpi_playlist_adds"
    __table_args__ = (
        UniqueConstraint("week", "release_id", name="uq_kpi_playlist_week_release"),
        CheckConstraint("adds >= 0", name="adds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(Date, index=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    adds: Mapped[int]
    actor: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
