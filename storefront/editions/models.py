"""Editions, their variants and copies, the public draw log, insert pools and cards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product
from storefront.clock import UTCDateTime
from storefront.editions.draw import insert_positions
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.preorders.models import Campaign


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


class InsertPool(db.Model):
    """K items (studio notebooks) slipped into the copies of an edition, or into the paid
    orders of a campaign, spread over the run.

    An edition pool draws with the edition's seed over its size; a campaign has no seed of
    its own, so a campaign pool has one (and publishes its commitment) and a `run_size`:
    the number of paid orders the label plans for (the pressing threshold, say)."""

    __tablename__ = "insert_pool"
    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint(
            "(edition_id IS NULL) <> (campaign_id IS NULL)", name="edition_or_campaign"
        ),
        CheckConstraint(
            "campaign_id IS NULL OR (run_size IS NOT NULL AND run_size >= count"
            " AND server_seed IS NOT NULL AND commitment IS NOT NULL)",
            name="campaign_pool_run_and_seed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    count: Mapped[int]
    reveal_at_once: Mapped[bool] = mapped_column(default=False)
    run_size: Mapped[int | None]  # campaign pools: the planned number of paid orders
    server_seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # campaign pools
    commitment: Mapped[str | None] = mapped_column(String(64))  # sha256 of server_seed

    edition: Mapped[Edition | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    @property
    def key(self) -> str:
        """What its positions are drawn with, next to the seed; public, so fans replay them."""
        return str(self.id)

    def positions(self) -> list[int]:
        """The ranks (1-based) in the run that get an insert: a copy's draw for an edition
        pool, an order's payment for a campaign pool."""
        if self.edition is not None:
            return insert_positions(
                self.edition.server_seed, self.key, self.edition.size, self.count
            )
        return insert_positions(self.server_seed, self.key, self.run_size, self.count)


class InsertAward(db.Model):
    """An insert of a pool, slipped into one copy (it stays with the copy if released), or
    into one paid order of a campaign (its `position` is the order's rank among payments)."""

    __tablename__ = "insert_award"
    __table_args__ = (
        UniqueConstraint("pool_id", "copy_id", name="uq_insert_award_copy"),
        UniqueConstraint("pool_id", "order_id", name="uq_insert_award_order"),
        CheckConstraint("(copy_id IS NULL) <> (order_id IS NULL)", name="copy_or_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("insert_pool.id", ondelete="CASCADE"))
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("copy.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]

    pool: Mapped[InsertPool] = relationship()
    copy: Mapped[Copy | None] = relationship()


class CardRedemption(db.Model):
    """A hidden-content card, opened once: the first fan's email owns it."""

    __tablename__ = "card_redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("copy.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
