"""Catalog models: a release has tracks and is sold as products."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class ProductKind(StrEnum):
    VINYL = "vinyl"
    CD = "cd"
    CASSETTE = "cassette"
    DIGITAL = "digital"
    MERCH = "merch"


class WeightClass(StrEnum):
    """How a physical product ships: a padded letter or a parcel."""

    NONE = "none"
    LETTER = "letter"
    PARCEL = "parcel"


class Release(db.Model):
    __tablename__ = "release"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    artist: Mapped[str] = mapped_column(String(200))
    cover_path: Mapped[str | None] = mapped_column(String(255))
    release_date: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    credits: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="release", order_by="Track.position", cascade="all, delete-orphan"
    )
    products: Mapped[list[Product]] = relationship(
        back_populates="release", order_by="Product.position", cascade="all, delete-orphan"
    )

    def is_upcoming(self, today: date) -> bool:
        return self.release_date > today


class Track(db.Model):
    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("release_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    duration_seconds: Mapped[int] = mapped_column(default=0)
    preview_path: Mapped[str | None] = mapped_column(String(255))
    streaming_full: Mapped[bool] = mapped_column(default=False)
    # A full-length file (under PRIVATE_DIR) that preorder backers may download early,
    # once a campaign's early-download goal is reached.
    early_download: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    file_path: Mapped[str | None] = mapped_column(String(255))

    release: Mapped[Release] = relationship(back_populates="tracks")

    @property
    def duration_label(self) -> str:
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # Stock of a physical product without options; None for digital and for products
    # whose options (sizes) each carry their own stock.
    stock: Mapped[int | None]
    weight_class: Mapped[str] = mapped_column(String(16), default=WeightClass.NONE)
    download_path: Mapped[str | None] = mapped_column(String(255))
    # A physical format that comes with the digital album (a download code in the sleeve).
    includes_digital: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Restocking (`storefront.inventory`): the units of the last pressing or restock,
    # the label's own alert threshold (None: 25 % of the last run), and since when the
    # stock has been under it (None while above: the alert is sent once per crossing).
    last_run: Mapped[int | None]
    restock_threshold: Mapped[int | None]
    low_stock_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    release: Mapped[Release] = relationship(back_populates="products")
    options: Mapped[list[ProductOption]] = relationship(
        back_populates="product", order_by="ProductOption.position", cascade="all, delete-orphan"
    )

    @property
    def is_physical(self) -> bool:
        return self.kind != ProductKind.DIGITAL

    @property
    def gives_digital(self) -> bool:
        return self.kind == ProductKind.DIGITAL or self.includes_digital

    @property
    def has_options(self) -> bool:
        return bool(self.options)

    def describe(self, option: ProductOption | None = None) -> str:
        """How order lines and lists name it: "Release — product (size)"."""
        label = f"{self.release.title} — {self.name}"
        return f"{label} ({option.label})" if option else label

    @property
    def units_left(self) -> int | None:
        """Units that can still be bought; None when unlimited (digital)."""
        if self.has_options:
            return sum(option.stock for option in self.options)
        return self.stock


class ProductOption(db.Model):
    """A purchasable variation of a product, such as a T-shirt size, with its own stock."""

    __tablename__ = "product_option"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        UniqueConstraint("product_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40))
    stock: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="options")


class StockReason(StrEnum):
    SALE = "sale"  # taken by an order (its reservation, then its payment)
    RELEASE = "release"  # an unpaid reservation ran out or was canceled: units back
    STAND_ALLOCATION = "stand_allocation"  # units taken to a gig's merch stand
    STAND_RETURN = "stand_return"  # units brought back from the stand
    RETURN = "return"  # a fan sent units back and they went back on the shelf
    RESTOCK = "restock"  # a repress or reorder arrived
    CONSIGNMENT = "consignment"  # units given to a distributor or a consignment shop
    CONSIGNMENT_RETURN = "consignment_return"  # unsold units they sent back
    LOSS = "loss"  # broken, lost, given away
    CORRECTION = "correction"  # an admin set the figure after counting


class StockMove(db.Model):
    """One change of a product's stock and why, so its stock is explained line by line."""

    __tablename__ = "stock_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("product_option.id"))
    delta: Mapped[int]  # units: negative out of the stock, positive back in
    reason: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(String(200), default="")  # "Lausanne, 3 Dec 2026"
    # The order a sale, release or return belongs to (no foreign key: the catalog knows
    # nothing of orders).
    order_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
