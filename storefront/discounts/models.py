"""A discount code and how often it has been used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class DiscountCode(db.Model):
    __tablename__ = "discount_code"
    __table_args__ = (
        CheckConstraint("percent_off >= 1 AND percent_off <= 100", name="percent_off_range"),
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="uses_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as shown, "K7QD-M2XH"; typed in any case, with or without the dash.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    percent_off: Mapped[int]
    max_uses: Mapped[int] = mapped_column(default=1)
    # Orders holding the code: taken at checkout, given back when an unpaid order lapses.
    uses: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(16))  # "badge"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
