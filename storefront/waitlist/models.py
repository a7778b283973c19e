"""One fan waiting for one product (or one of its sizes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime
from storefront.extensions import db


class WaitlistEntry(db.Model):
    """Mailed once (`notified_at`) when units of the product come back, oldest first."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (Index("ix_waitlist_waiting", "product_id", "notified_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_option.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(254))
    # `storefront.orders.fans.fan_key(email)`: one entry per fan however they type it.
    email_key: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# One entry per fan per product and size. NULLs are distinct in a plain UNIQUE (on SQLite
# and PostgreSQL alike), so "no size" is counted as size 0 for the index.
Index(
    "uq_waitlist_fan",
    WaitlistEntry.product_id,
    func.coalesce(WaitlistEntry.option_id, 0),
    WaitlistEntry.email_key,
    unique=True,
)
