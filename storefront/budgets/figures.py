"""A release budget's figures, read from the sales and the campaign: what `margin`
computes, fed from the database (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.budgets.margin import (
    CampaignOutlook,
    EssentialCost,
    Margin,
    PaidOrder,
    expected_margin,
    stop_loss_limit,
    trips,
)
from storefront.budgets.models import BudgetLine, BudgetSpend, ReleaseBudget
from storefront.catalog.models import Product
from storefront.orders.models import Order, OrderLine
from storefront.preorders.services import campaign_for_release, paid_units, pressing_thresholds

DEFAULT_STOP_LOSS_PERCENT = 100


@dataclass(frozen=True)
class BudgetFigures:
    """Everything the budget page and the stop-loss read, computed once."""

    margin: Margin
    outlook: CampaignOutlook | None
    percent: int
    limit_cents: int
    planned_cents: int  # every line
    spent_cents: int  # every line
    counted_cents: int  # spent on non-essential lines: what the stop-loss compares

    @property
    def over_limit(self) -> bool:
        return trips(self.counted_cents, self.limit_cents)

    @property
    def headroom_cents(self) -> int:
        """What non-essential lines may still take before the next spend freezes it."""
        return self.limit_cents - self.counted_cents


def paid_orders(session: Session, release_id: int) -> list[PaidOrder]:
    """The release's part of each paid order (a refunded one too: its refunds net it out)."""
    goods = func.sum(OrderLine.unit_price_cents * OrderLine.quantity - OrderLine.discount_cents)
    rows = session.execute(
        select(goods, Order.total_cents, Order.refunded_cents)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Product.release_id == release_id, Order.paid_at.is_not(None))
        .group_by(Order.id, Order.total_cents, Order.refunded_cents)
    ).all()
    return [PaidOrder(int(g), total, refunded) for g, total, refunded in rows]


def campaign_outlook(session: Session, release_id: int) -> CampaignOutlook | None:
    """The release's latest campaign, when it is not closed and has a pressing goal."""
    campaign = campaign_for_release(session, release_id)
    if campaign is None or campaign.outcome is not None or not campaign.products:
        return None
    goals = pressing_thresholds(campaign)
    if not goals:
        return None
    return CampaignOutlook(
        goal_units=max(goals),
        paid_units=paid_units(session, campaign),
        unit_price_cents=min(product.price_cents for product in campaign.products),
    )


def line_spent(session: Session, budget_id: int) -> dict[int, int]:
    """What was spent on each of the budget's lines, by line id (fresh from the table)."""
    rows = session.execute(
        select(BudgetSpend.line_id, func.sum(BudgetSpend.amount_cents))
        .join(BudgetLine, BudgetLine.id == BudgetSpend.line_id)
        .where(BudgetLine.budget_id == budget_id)
        .group_by(BudgetSpend.line_id)
    ).all()
    return {line_id: int(total) for line_id, total in rows}


def budget_figures(
    session: Session, release_id: int, budget: ReleaseBudget | None
) -> BudgetFigures:
    """The figures of a release's budget (no budget yet: no lines, the default rule)."""
    lines = budget.lines if budget else []
    spent = line_spent(session, budget.id) if budget else {}
    outlook = campaign_outlook(session, release_id)
    margin = expected_margin(
        paid_orders(session, release_id),
        outlook,
        [
            EssentialCost(line.planned_cents, spent.get(line.id, 0))
            for line in lines
            if line.essential
        ],
    )
    percent = budget.stop_loss_percent if budget else DEFAULT_STOP_LOSS_PERCENT
    return BudgetFigures(
        margin=margin,
        outlook=outlook,
        percent=percent,
        limit_cents=stop_loss_limit(margin.margin_cents, percent),
        planned_cents=sum(line.planned_cents for line in lines),
        spent_cents=sum(spent.values()),
        counted_cents=sum(spent.get(line.id, 0) for line in lines if not line.essential),
    )
