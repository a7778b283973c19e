"""Provider events we have already applied."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class PaymentEvent(db.Model):
    """One provider event, stored by id before it is applied so it is applied once."""

    __tablename__ = "payment_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    order_reference: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(80), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
