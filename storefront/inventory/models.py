"""Restock orders: a repress or reorder, from the day it is ordered to the day it arrives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, ProductOption
from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class RestockOrder(db.Model):
    __tablename__ = "restock_order"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "received_quantity IS NULL OR received_quantity >= 0", name="received_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("product_option.id"))
    quantity: Mapped[int]  # units ordered
    supplier: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the units arrive (they go into stock with a "restock" move).
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    received_quantity: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(254))

    product: Mapped[Product] = relationship()
    option: Mapped[ProductOption | None] = relationship()
