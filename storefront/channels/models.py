"""Distributors and consignment shops, and what each holds of the label's stock."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, ProductOption
from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class PartnerKind(StrEnum):
    DISTRIBUTOR = "distributor"  # buys or places the records in shops, pays on statements
    CONSIGNMENT = "consignment"  # a record shop that pays for what it sold, returns the rest


class Distributor(db.Model):
    __tablename__ = "distributor"
    __table_args__ = (
        CheckConstraint(
            "commission_percent >= 0 AND commission_percent <= 100", name="commission_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=PartnerKind.DISTRIBUTOR)
    email: Mapped[str] = mapped_column(String(254), default="")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    # The share of each sale they keep: a sale's order records what reaches the label.
    commission_percent: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stock: Mapped[list[DistributorStock]] = relationship(
        back_populates="distributor", order_by="DistributorStock.id"
    )


class DistributorStock(db.Model):
    """One product (or size) a distributor holds. Sales and returns move `sold` and
    `returned` with conditional UPDATEs, so they never exceed what was allocated."""

    __tablename__ = "distributor_stock"
    __table_args__ = (
        UniqueConstraint(
            "distributor_id", "product_id", "option_id", name="one_row_per_distributor_item"
        ),
        CheckConstraint("allocated >= 0", name="allocated_not_negative"),
        CheckConstraint(
            "sold >= 0 AND returned >= 0 AND sold + returned <= allocated",
            name="sold_and_returned_within_allocated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributor.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("product_option.id"))
    allocated: Mapped[int] = mapped_column(default=0)
    sold: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)

    distributor: Mapped[Distributor] = relationship(back_populates="stock")
    product: Mapped[Product] = relationship()
    option: Mapped[ProductOption | None] = relationship()

    @property
    def left(self) -> int:
        """Units the distributor should still hold."""
        return self.allocated - self.sold - self.returned

    @property
    def label(self) -> str:
        return self.product.describe(self.option)
