"""Parcels sent and parcels that came back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db
from storefront.orders.carriers import carrier_name, tracking_url
from storefront.orders.models import Order, OrderLine, Refund


class Shipment(db.Model):
    """One parcel posted for an order: all its physical units, or part of them (the
    rest follows in a later parcel)."""

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    carrier: Mapped[str | None] = mapped_column(String(20))  # `storefront.orders.carriers`
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))

    order: Mapped[Order] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.id", cascade="all, delete-orphan"
    )

    @property
    def carrier_name(self) -> str | None:
        """The carrier the parcel went with, as people call it."""
        return carrier_name(self.carrier) if self.carrier else None

    @property
    def tracking_url(self) -> str | None:
        """The carrier's public page for this parcel, when it has one."""
        return tracking_url(
            self.carrier, self.tracking_number, postal_code=self.order.ship_postal_code
        )


class ShipmentLine(db.Model):
    __tablename__ = "shipment_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipment.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"  # the 14-day withdrawal right
    NOT_DELIVERED = "not_delivered"  # the carrier sent it back
    OTHER = "other"


class ReturnOutcome(StrEnum):
    RESTOCK = "restock"  # back on the shelf: a stock move of reason "return"
    WRITE_OFF = "write_off"  # not sellable any more: nothing goes back to stock


class Return(db.Model):
    """Units a fan sent back, why, what became of them, and the money given back."""

    __tablename__ = "order_return"
    __table_args__ = (CheckConstraint("refund_cents >= 0", name="refund_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))
    refund_cents: Mapped[int] = mapped_column(default=0)
    # The refund made through the order's own provider (None when nothing was paid back).
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The return form's one-time id: the same form sent twice records one return.
    submission: Mapped[str | None] = mapped_column(String(64), unique=True)

    order: Mapped[Order] = relationship()
    refund: Mapped[Refund | None] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_", order_by="ReturnLine.id", cascade="all, delete-orphan"
    )


class ReturnLine(db.Model):
    __tablename__ = "order_return_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("order_return.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    return_: Mapped[Return] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
