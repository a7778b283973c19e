"""Editions, their variants and copies, the public draw log and cards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product
from storefront.clock import UTCDateTime
from storefront.extensions import db
from storefront.orders.models import Order


class RevealMode(StrEnum):
    AT_ONCE = "at_once"  # the order page shows the copy as soon as it is paid
    SEALED = "sealed"  # a mystery cover: shown once the order has shipped


class Edition(db.Model):
    __tablename__ = "edition"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("per_order_cap IS NULL OR per_order_cap > 0", name="order_cap_positive"),
        CheckConstraint("per_fan_cap IS NULL OR per_fan_cap > 0", name="fan_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    # Secret until the edition is closed or sold out; the commitment is public from the start.
    server_seed: Mapped[bytes] = mapped_column(LargeBinary(32))
    commitment: Mapped[str] = mapped_column(String(64))
    reveal_mode: Mapped[str] = mapped_column(String(16), default=RevealMode.AT_ONCE)
    per_order_cap: Mapped[int | None]
    per_fan_cap: Mapped[int | None]
    card_content: Mapped[str] = mapped_column(Text, default="")
    card_file: Mapped[str | None] = mapped_column(String(255))  # under PRIVATE_DIR
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="edition", order_by="Variant.position", cascade="all, delete-orphan"
    )


class Variant(db.Model):
    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        UniqueConstraint("edition_id", "position", name="uq_variant_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    count: Mapped[int]
    position: Mapped[int]

    edition: Mapped[Edition] = relationship(back_populates="variants")


class Copy(db.Model):
    """One numbered copy. `order_id` is set while it belongs to a paid order."""

    __tablename__ = "copy"
    __table_args__ = (UniqueConstraint("variant_id", "number", name="uq_copy_variant_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    number: Mapped[int]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    sequence: Mapped[int | None]  # the draw that gave it to its order
    card_code: Mapped[str] = mapped_column(String(32), unique=True)

    variant: Mapped[Variant] = relationship()
    order: Mapped[Order | None] = relationship()

    @property
    def label(self) -> str:
        """The copy as people read it: "No. 17/40 — silver", in the page's language."""
        return _(
            "No. %(number)d/%(count)d — %(variant)s",
            number=self.number,
            count=self.variant.count,
            variant=self.variant.name,
        )


class DrawLogEntry(db.Model):
    """The public log: every draw and every release, in sequence."""

    __tablename__ = "draw_log"
    __table_args__ = (UniqueConstraint("edition_id", "sequence", name="uq_draw_log_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # draw / release
    client_seed: Mapped[str] = mapped_column(String(64))
    seed_made_by_server: Mapped[bool] = mapped_column(default=False)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    number: Mapped[int]
    order_hash: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    variant: Mapped[Variant] = relationship()


class CardRedemption(db.Model):
    """A hidden-content card, opened once: the first fan's email owns it."""

    __tablename__ = "card_redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("copy.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
