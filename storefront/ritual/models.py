"""Which weeks' ritual has been mailed (one row per week: two job runners never send it twice)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class RitualMailing(db.Model):
    __tablename__ = "ritual_mailing"

    week: Mapped[date] = mapped_column(Date, primary_key=True)  # the Monday it covers
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
