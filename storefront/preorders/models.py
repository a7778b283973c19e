"""Campaigns and what hangs on them: goals, bonuses, backings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Product, Release
from storefront.clock import UTCDateTime
from storefront.extensions import db
from storefront.orders.models import Order


class CampaignState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class GoalKind(StrEnum):
    PRESSING = "pressing"  # all-or-nothing: missed at close, every backer is refunded
    UNLOCK = "unlock"  # reached, every backer (past and future) gets the reward


class RewardKind(StrEnum):
    NONE = "none"
    LIVE_SESSION = "live_session"
    BONUS_TRACK = "bonus_track"
    EARLY_DOWNLOAD = "early_download"


campaign_product = Table(
    "campaign_product",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("per_fan_limit IS NULL OR per_fan_limit > 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), index=True
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ships_on: Mapped[date]
    per_fan_limit: Mapped[int | None]
    run_margin_percent: Mapped[int] = mapped_column(default=10)
    # Set once when the campaign is closed; refunds of a failed one may still be running.
    outcome: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suggested_run: Mapped[int | None]
    # Members of some tiers may preorder from then, before `opens_at` (kept by the members
    # domain from the tiers given early access); None without early access.
    early_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    release: Mapped[Release] = relationship()
    products: Mapped[list[Product]] = relationship(secondary=campaign_product)
    goals: Mapped[list[Goal]] = relationship(
        back_populates="campaign", order_by="Goal.threshold", cascade="all, delete-orphan"
    )
    bonuses: Mapped[list[Bonus]] = relationship(
        back_populates="campaign", order_by="Bonus.id", cascade="all, delete-orphan"
    )

    def opens_for(self, early_hours: int = 0) -> datetime:
        """When a fan with `early_hours` of early access (the members domain decides it)
        may start preordering; never before `first_opens_at`, so every preorder taken is
        inside the window `is_preorder` counts. Everyone else waits for `opens_at`."""
        if not early_hours:
            return self.opens_at
        return max(self.opens_at - timedelta(hours=early_hours), self.first_opens_at)

    @property
    def first_opens_at(self) -> datetime:
        """The first moment anyone may preorder (members with early access)."""
        return min(self.early_opens_at or self.opens_at, self.opens_at)

    def state(self, now: datetime) -> CampaignState:
        if self.outcome:
            return CampaignState(self.outcome)
        if now < self.opens_at:
            return CampaignState.UPCOMING
        return CampaignState.OPEN

    def is_taking_preorders(self, now: datetime, early_hours: int = 0) -> bool:
        return self.outcome is None and self.opens_for(early_hours) <= now < self.closes_at


class Goal(db.Model):
    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint("threshold > 0", name="threshold_positive"),
        UniqueConstraint("campaign_id", "kind", "threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[int]
    reward_title: Mapped[str] = mapped_column(String(200))
    reward_kind: Mapped[str] = mapped_column(String(20), default=RewardKind.NONE)
    reward_description: Mapped[str] = mapped_column(Text, default="")
    reward_file: Mapped[str | None] = mapped_column(String(255))  # under PRIVATE_DIR
    reward_embed_url: Mapped[str | None] = mapped_column(String(500))
    reward_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship(back_populates="goals")

    @property
    def has_reward(self) -> bool:
        return self.reward_kind != RewardKind.NONE


class Bonus(db.Model):
    """A small extra for the first `limit` paid preorders (booklet, numbered poster)."""

    __tablename__ = "bonus"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]

    campaign: Mapped[Campaign] = relationship(back_populates="bonuses")


class BonusAward(db.Model):
    __tablename__ = "bonus_award"
    __table_args__ = (
        UniqueConstraint("bonus_id", "number", name="uq_bonus_award_number"),
        UniqueConstraint("bonus_id", "order_id", name="uq_bonus_award_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bonus_id: Mapped[int] = mapped_column(ForeignKey("bonus.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    number: Mapped[int]

    bonus: Mapped[Bonus] = relationship()


class Backing(db.Model):
    """A paid preorder: `units` of the campaign's products in one order.

    Written when the order is paid, in the same transaction; goals count these rows
    (reservations do not count). `refunded_at` takes it out of the count."""

    __tablename__ = "backing"
    __table_args__ = (
        UniqueConstraint("campaign_id", "order_id"),
        CheckConstraint("units > 0", name="units_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    units: Mapped[int]
    amount_cents: Mapped[int]
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    order: Mapped[Order] = relationship()
