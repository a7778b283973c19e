"""Tiers, the memberships fans hold, and the Stripe events that moved them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db
from storefront.fans.models import Fan

# Defined with the pure state machine, which imports no model; read here as before.
from storefront.members.lifecycle import MembershipState


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class Tier(db.Model):
    """A supporter level: its prices and its benefits, each of them enforced in code."""

    __tablename__ = "tier"
    __table_args__ = (
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 50", name="discount"),
        CheckConstraint("early_access_hours >= 0", name="early_access"),
        CheckConstraint("members >= 0", name="members_not_negative"),
        CheckConstraint("member_cap IS NULL OR members <= member_cap", name="members_within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    monthly_cents: Mapped[int]
    yearly_cents: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Benefits.
    discount_percent: Mapped[int] = mapped_column(default=0)  # on physical products
    early_access_hours: Mapped[int] = mapped_column(default=0)  # before a campaign opens
    free_digital: Mapped[bool] = mapped_column(default=False)  # new digital releases
    posts: Mapped[bool] = mapped_column(default=False)  # members-only studio diaries
    liner_notes: Mapped[bool] = mapped_column(default=False)  # name in the liner notes
    # Seats: memberships holding one (`members`) never exceed the cap, if there is one.
    member_cap: Mapped[int | None]
    members: Mapped[int] = mapped_column(default=0)
    # Stripe Prices for the two intervals, when Stripe is configured.
    stripe_monthly_price: Mapped[str | None] = mapped_column(String(255))
    stripe_yearly_price: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def price_cents(self, interval: Interval) -> int | None:
        return self.yearly_cents if interval is Interval.YEAR else self.monthly_cents

    @property
    def sold_out(self) -> bool:
        return self.member_cap is not None and self.members >= self.member_cap


class Membership(db.Model):
    """One fan's subscription to one tier, as Stripe (or the test provider) reports it."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    fan_id: Mapped[int] = mapped_column(ForeignKey("fan.id", ondelete="CASCADE"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tier.id"))
    interval: Mapped[str] = mapped_column(String(8), default=Interval.MONTH)
    state: Mapped[str] = mapped_column(String(16), default=MembershipState.PENDING)
    provider: Mapped[str] = mapped_column(String(16))
    checkout_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    # Whether this membership counts in its tier's `members` (so a seat is given back once).
    holds_seat: Mapped[bool] = mapped_column(default=False)
    # The name printed in the liner notes, if the fan gave one.
    liner_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fan: Mapped[Fan] = relationship()
    tier: Mapped[Tier] = relationship()

    def keeps_benefits(self, now: datetime, grace: timedelta) -> bool:
        """Active; past due within the grace period; canceled until the paid period ends."""
        if self.state == MembershipState.ACTIVE:
            return True
        if self.state == MembershipState.PAST_DUE:
            return self.past_due_since is not None and now < self.past_due_since + grace
        if self.state == MembershipState.CANCELED:
            return self.current_period_end is not None and now < self.current_period_end
        return False


class SubscriptionEvent(db.Model):
    """A Stripe Billing event, stored by id before it is applied (a second delivery of
    the same id changes nothing), with the facts the membership state is derived from."""

    __tablename__ = "subscription_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # Stripe's `created`: the order the facts are folded in, whatever order they came.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(32))


class MemberPost(db.Model):
    """A studio diary for members whose tier has `posts`: text, an image, a recording."""

    __tablename__ = "member_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # Files under instance/private/posts, served through signed, expiring links.
    image_file: Mapped[str | None] = mapped_column(String(255))
    audio_file: Mapped[str | None] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MemberDownload(db.Model):
    """How often a member has downloaded one product for free (the per-fan limit)."""

    __tablename__ = "member_download"
    __table_args__ = (UniqueConstraint("fan_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fan_id: Mapped[int] = mapped_column(ForeignKey("fan.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    downloads_used: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The tiers whose members may preorder a campaign early (`storefront.members.early`).
campaign_early_tier = Table(
    "campaign_early_tier",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("tier_id", ForeignKey("tier.id", ondelete="CASCADE"), primary_key=True),
)
