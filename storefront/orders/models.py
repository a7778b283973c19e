"""Orders, their lines, their refunds and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, ProductOption
from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db
from storefront.orders.carriers import carrier_name, tracking_url
from storefront.orders.states import Channel, OrderStatus


class Order(db.Model):
    __tablename__ = "shop_order"
    __table_args__ = (
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
        # Each fan's payments in time order, read without the table: the KPI dashboard's
        # returning fans (a fan's first payment ever) in one pass; per-fan caps look a fan
        # up by its first column.
        Index("ix_shop_order_fan_key_paid_at", "fan_key", "paid_at", "status"),
        # The period's sales by channel and their fans, read without the table (the
        # dashboard over a year reads most orders: SQLite would fetch each row apart).
        Index(
            "ix_shop_order_paid_at_sales",
            "paid_at",
            "status",
            "channel",
            "subtotal_cents",
            "discount_cents",
            "refunded_cents",
            "fan_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING, index=True)
    email: Mapped[str] = mapped_column(String(254))
    # The email as per-fan caps count it (see `fan_key`): case, spaces and +tags folded.
    fan_key: Mapped[str] = mapped_column(String(254), default="", server_default=text("''"))
    # One checkout form submission opens one order: a retried POST finds it again.
    checkout_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    channel: Mapped[str] = mapped_column(
        String(16), default=Channel.SHOP, server_default=Channel.SHOP.value, index=True
    )
    # The gig a stand sale was made at (an id of the quests domain, which orders know
    # nothing of: no foreign key), so sales are kept by gig and city.
    gig_id: Mapped[int | None] = mapped_column(index=True)
    # The distributor a distributor sale was made by (`storefront.channels`, no foreign
    # key for the same reason).
    distributor_id: Mapped[int | None] = mapped_column(index=True)

    ship_name: Mapped[str | None] = mapped_column(String(120))
    ship_line1: Mapped[str | None] = mapped_column(String(200))
    ship_line2: Mapped[str | None] = mapped_column(String(200))
    ship_postal_code: Mapped[str | None] = mapped_column(String(20))
    ship_city: Mapped[str | None] = mapped_column(String(120))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    shipping_zone: Mapped[str | None] = mapped_column(String(8))

    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    subtotal_cents: Mapped[int]  # the lines at their prices, before any discount
    discount_cents: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The code's id in the discounts domain, which orders know nothing of (no foreign
    # key): its mechanic reads it to hold and give back the code's use.
    discount_code_id: Mapped[int | None]
    discount_label: Mapped[str | None] = mapped_column(String(40))  # "K7QD-M2XH (-10 %)"
    shipping_cents: Mapped[int]
    total_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)

    provider: Mapped[str] = mapped_column(String(16))
    provider_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    provider_payment_id: Mapped[str | None] = mapped_column(String(255), index=True)

    # True while the lines' units are taken from stock; an expired or canceled order
    # gives them back exactly once.
    stock_held: Mapped[bool] = mapped_column(default=True)
    notice: Mapped[str | None] = mapped_column(Text)
    # Part of a paid order a domain could not honour (the edition ran out of copies):
    # refunded right after the payment is recorded, then set back to 0.
    owed_refund_cents: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The fan's seed for provably fair draws (typed or made by their browser; made by
    # the server only when neither gave one, which the public draw log says).
    client_seed: Mapped[str | None] = mapped_column(String(64))
    client_seed_by_server: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reserved_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the parcel is posted: a code of `storefront.orders.carriers`.
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(40))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", order_by="Refund.id", cascade="all, delete-orphan"
    )

    @property
    def has_physical(self) -> bool:
        return any(line.is_physical for line in self.lines)

    @property
    def takes_main_stock(self) -> bool:
        """The shop's own stock backs the order's lines; a stand sale's come from the
        stand's allocation, which the stand mechanic takes and gives back."""
        return self.channel == Channel.SHOP

    @property
    def goods_cents(self) -> int:
        """What the lines cost the fan, discounts taken off (shipping apart)."""
        return self.subtotal_cents - self.discount_cents

    @property
    def digital_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if not line.is_physical]

    @property
    def is_settled(self) -> bool:
        """Money has been taken for this order (whatever happened after)."""
        return self.paid_at is not None

    @property
    def handed_over(self) -> bool:
        """A stand sale, paid: the fan left with it, nothing is posted."""
        return self.channel == Channel.STAND and self.is_settled

    @property
    def has_shipped(self) -> bool:
        """The parcel left, or the fan took it from the stand (even if refunded since):
        what was sealed may now be told."""
        return self.shipped_at is not None or self.status == OrderStatus.SHIPPED or self.handed_over

    @property
    def carrier_name(self) -> str | None:
        """The carrier the parcel went with, as people call it."""
        return carrier_name(self.carrier) if self.carrier else None

    @property
    def tracking_url(self) -> str | None:
        """The carrier's public page for this parcel, when it has one."""
        return tracking_url(self.carrier, self.tracking_number, postal_code=self.ship_postal_code)


class OrderLine(db.Model):
    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # An order's lines, and whether it holds a product, read from the index alone
        # (the KPI dashboard of one release asks it of every order).
        Index("ix_order_line_order_id_product_id", "order_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("product_option.id"))
    description: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]
    discount_cents: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    option: Mapped[ProductOption | None] = relationship()

    @property
    def is_physical(self) -> bool:
        return self.kind != "digital"

    @property
    def price_cents(self) -> int:
        """The line at its price, before any discount (what the order page lists)."""
        return self.unit_price_cents * self.quantity

    @property
    def total_cents(self) -> int:
        """What the fan pays for the line, its discount taken off."""
        return self.price_cents - self.discount_cents

    def unit_cents(self, index: int) -> int:
        """What the fan paid for the line's unit number `index` (from 0): the line's
        total shared out to the cent, so refunding every unit gives back the total."""
        share, left_over = divmod(self.total_cents, self.quantity)
        return share + (1 if index < left_over else 0)


class Refund(db.Model):
    """Money given back, whole or in part; one row per refund at the provider."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    amount_cents: Mapped[int]
    provider_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")


class OrderEvent(db.Model):
    """One line of an order's history: who did what, when, and the status around it.

    Written in the transaction of the change it tells about, so it commits or rolls back
    with it."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An admin's email, or "shop", "stripe", "fan", "cron" (`storefront.orders.history`).
    actor: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text, default="")
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str | None] = mapped_column(String(16))
