"""Provider events we have already applied."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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


class PaymentProblem(db.Model):
    """A payment the shop refused to apply (wrong amount, currency or provider).

    The order stays unpaid; money taken is sent back (`refund_id`) and the label sees
    the problem on the order's admin page."""

    __tablename__ = "payment_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_id: Mapped[str | None] = mapped_column(String(255))
    refund_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
