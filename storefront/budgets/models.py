"""Budget lines per release, what was spent on them, and the label's opportunity reserve."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.catalog.models import Release
from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class BudgetCategory(StrEnum):
    PRESSING = "pressing"
    MASTERING = "mastering"
    ARTWORK = "artwork"
    PROMO = "promo"
    ADS = "ads"
    VIDEO = "video"
    LOGISTICS = "logistics"


class ReleaseBudget(db.Model):
    """A release's stop-loss rule: when spend exceeds `stop_loss_percent` % of the
    expected margin, its non-essential lines freeze (`frozen_at`) until an admin lifts it."""

    __tablename__ = "release_budget"
    __table_args__ = (CheckConstraint("stop_loss_percent > 0", name="stop_loss_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), unique=True
    )
    stop_loss_percent: Mapped[int] = mapped_column(default=100)  # 150: up to 1.5 margins
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    release: Mapped[Release] = relationship()
    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="budget", order_by="BudgetLine.id", cascade="all, delete-orphan"
    )
    freezes: Mapped[list[BudgetFreeze]] = relationship(
        back_populates="budget", order_by="BudgetFreeze.id", cascade="all, delete-orphan"
    )


class BudgetLine(db.Model):
    __tablename__ = "budget_line"
    __table_args__ = (CheckConstraint("planned_cents >= 0", name="planned_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(
        ForeignKey("release_budget.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(120), default="")
    planned_cents: Mapped[int] = mapped_column(default=0)
    # Pressing and mastering cannot stop half-way; ads, promo, video can.
    essential: Mapped[bool] = mapped_column(default=False)

    budget: Mapped[ReleaseBudget] = relationship(back_populates="lines")
    spends: Mapped[list[BudgetSpend]] = relationship(
        back_populates="line", order_by="BudgetSpend.id", cascade="all, delete-orphan"
    )

    @property
    def spent_cents(self) -> int:
        return sum(spend.amount_cents for spend in self.spends)


class BudgetSpend(db.Model):
    """Money spent on a line, on a day (ads spend per week feeds the acquisition cost)."""

    __tablename__ = "budget_spend"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("budget_line.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int]
    spent_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    line: Mapped[BudgetLine] = relationship(back_populates="spends")


class BudgetFreeze(db.Model):
    """One time the stop-loss froze a budget: the figures that tripped it, and who lifted
    it afterwards and why (the budget page and the dashboard read it)."""

    __tablename__ = "budget_freeze"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(
        ForeignKey("release_budget.id", ondelete="CASCADE"), index=True
    )
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    spent_cents: Mapped[int]  # spent on non-essential lines, the spend that tripped it included
    margin_cents: Mapped[int]  # the expected margin then
    limit_cents: Mapped[int]  # stop_loss_percent % of it
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(254))
    lift_reason: Mapped[str | None] = mapped_column(String(300))

    budget: Mapped[ReleaseBudget] = relationship(back_populates="freezes")


class ReserveYear(db.Model):
    """The label's yearly budget and the share of it kept for sudden opportunities."""

    __tablename__ = "reserve_year"
    __table_args__ = (
        UniqueConstraint("year"),
        CheckConstraint("share_percent >= 0 AND share_percent <= 100", name="share_in_range"),
        CheckConstraint("yearly_budget_cents >= 0", name="budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    yearly_budget_cents: Mapped[int] = mapped_column(default=0)
    share_percent: Mapped[int] = mapped_column(default=10)

    uses: Mapped[list[ReserveUse]] = relationship(
        back_populates="reserve", order_by="ReserveUse.id", cascade="all, delete-orphan"
    )

    @property
    def reserve_cents(self) -> int:
        return self.yearly_budget_cents * self.share_percent // 100


class ReserveUse(db.Model):
    """One use of the opportunity reserve: why, how much, and afterwards what it gave."""

    __tablename__ = "reserve_use"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reserve_id: Mapped[int] = mapped_column(
        ForeignKey("reserve_year.id", ondelete="CASCADE"), index=True
    )
    release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id", ondelete="SET NULL"))
    amount_cents: Mapped[int]
    used_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    # Measured afterwards: what it brought (text), and in cents when it can be counted.
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_cents: Mapped[int | None]
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reserve: Mapped[ReserveYear] = relationship(back_populates="uses")
    release: Mapped[Release | None] = relationship()
