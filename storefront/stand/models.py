"""What a gig's stand holds: units allocated from the main stock, sold, brought back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, ProductOption
from storefront.clock import UTCDateTime
from storefront.extensions import db


class StandStock(db.Model):
    """One product (or size) at one gig's stand. Sales take `sold` up with a conditional
    UPDATE, so the stand never sells a unit it was not given."""

    __tablename__ = "stand_stock"
    __table_args__ = (
        UniqueConstraint("gig_id", "product_id", "option_id", name="one_row_per_item"),
        CheckConstraint("allocated >= 0", name="allocated_not_negative"),
        CheckConstraint("sold >= 0 AND sold <= allocated", name="sold_within_allocated"),
        CheckConstraint(
            "brought_back IS NULL OR (brought_back >= 0 AND brought_back <= allocated - sold)",
            name="brought_back_within_left",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("product_option.id"))
    allocated: Mapped[int] = mapped_column(default=0)
    sold: Mapped[int] = mapped_column(default=0)
    # Counted after the night and returned to the main stock; None until reconciled.
    brought_back: Mapped[int | None]
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship()
    option: Mapped[ProductOption | None] = relationship()

    @property
    def left(self) -> int:
        """Units the stand should still have."""
        return self.allocated - self.sold

    @property
    def missing(self) -> int | None:
        """Units not brought back (lost, given away, miscounted); None until reconciled."""
        return None if self.brought_back is None else self.left - self.brought_back

    @property
    def label(self) -> str:
        return self.product.describe(self.option)
