"""A release's expected margin and its stop-loss limit, in integer cents (pure: no Flask,
no database), so the rule the budget page states is the rule that is applied.

    expected revenue = goods paid for the release's products, net of refunds
                     + for a campaign not closed yet (upcoming or open) with a pressing
                       goal: the units still needed to reach that goal
                       x the price of its cheapest product
    expected margin  = expected revenue - the cost of the essential lines
                       (each line's planned cost, or what was spent on it when more)
    stop-loss limit  = stop-loss percent % of the expected margin, rounded down
    the budget freezes when the spend on non-essential lines goes over the limit
    (equal to it does not trip; one cent over does)

Refunds are shared out over an order's total (its shipping too): the release's part of
an order refunded by 5 € out of 50 € is 10 % less. Every rounding goes against the
margin, so it is never overstated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaidOrder:
    """The release's part of a paid order: its goods, and the order's total and refunds."""

    goods_cents: int  # what the fan paid for the release's lines, discounts taken off
    total_cents: int  # the whole order, shipping and other releases included
    refunded_cents: int  # given back on the whole order


@dataclass(frozen=True)
class CampaignOutlook:
    """What a campaign not closed yet is still expected to sell (None when nothing)."""

    goal_units: int  # its pressing goal (the highest, when it has several)
    paid_units: int
    unit_price_cents: int  # its cheapest product: the estimate never leans on the dearest

    @property
    def units_to_goal(self) -> int:
        return max(self.goal_units - self.paid_units, 0)

    @property
    def projected_cents(self) -> int:
        return self.units_to_goal * self.unit_price_cents


@dataclass(frozen=True)
class EssentialCost:
    planned_cents: int
    spent_cents: int

    @property
    def cost_cents(self) -> int:
        """The plan, unless more was spent already: an overrun lowers the margin."""
        return max(self.planned_cents, self.spent_cents)


@dataclass(frozen=True)
class Margin:
    paid_cents: int
    projected_cents: int
    essential_cents: int

    @property
    def revenue_cents(self) -> int:
        return self.paid_cents + self.projected_cents

    @property
    def margin_cents(self) -> int:
        return self.revenue_cents - self.essential_cents


def net_goods_cents(order: PaidOrder) -> int:
    """The release's goods in `order` less its share of the refunds (rounded up)."""
    if order.total_cents <= 0 or order.goods_cents <= 0:
        return 0
    refunded = min(max(order.refunded_cents, 0), order.total_cents)
    share = -(-refunded * order.goods_cents // order.total_cents)  # ceiling division
    return order.goods_cents - min(share, order.goods_cents)


def expected_margin(
    orders: Iterable[PaidOrder],
    outlook: CampaignOutlook | None,
    essentials: Iterable[EssentialCost],
) -> Margin:
    """The expected margin by the rule in this module's docstring."""
    return Margin(
        paid_cents=sum(net_goods_cents(order) for order in orders),
        projected_cents=outlook.projected_cents if outlook else 0,
        essential_cents=sum(cost.cost_cents for cost in essentials),
    )


def stop_loss_limit(margin_cents: int, percent: int) -> int:
    """`percent` % of the margin, rounded down (a margin at or under 0 gives a limit at or
    under 0: with nothing to earn, any non-essential spend trips the stop-loss)."""
    if percent <= 0:
        raise ValueError("the stop-loss percent is positive")
    return margin_cents * percent // 100


def trips(spent_cents: int, limit_cents: int) -> bool:
    """Whether the spend is over the limit (equal is not over)."""
    return spent_cents > limit_cents
