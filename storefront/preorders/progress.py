"""Campaign arithmetic, free of Flask and the database: progress, next goal, run size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


@dataclass(frozen=True)
class GoalView:
    kind: str
    threshold: int
    reward_title: str
    reached_at: datetime | None


@dataclass(frozen=True)
class Progress:
    paid_units: int
    goals: tuple[GoalView, ...]

    @property
    def next_goal(self) -> GoalView | None:
        """The lowest goal not yet reached (by paid units), if any."""
        pending = [goal for goal in self.goals if goal.threshold > self.paid_units]
        return min(pending, key=lambda goal: goal.threshold) if pending else None

    @property
    def remaining(self) -> int:
        goal = self.next_goal
        return goal.threshold - self.paid_units if goal else 0

    @property
    def percent(self) -> int:
        """How far the bar is filled towards the next goal (or the last one), 0-100."""
        target = self.next_goal or (
            max(self.goals, key=lambda g: g.threshold) if self.goals else None
        )
        if target is None:
            return 100
        return min(100, math.floor(100 * self.paid_units / target.threshold))


def suggested_run(paid_units: int, margin_percent: int) -> int:
    """Copies to press: the preorders plus a margin for the shop and the gigs, rounded up."""
    if paid_units < 0 or margin_percent < 0:
        raise ValueError("units and margin are never negative")
    return math.ceil(paid_units * (100 + margin_percent) / 100)


def pressing_met(paid_units: int, pressing_thresholds: list[int]) -> bool:
    """All pressing goals reached (a campaign without one cannot fail)."""
    return all(paid_units >= threshold for threshold in pressing_thresholds)


def thresholds_ordered(thresholds: list[int]) -> bool:
    """Positive and strictly increasing, as the label enters them."""
    return all(t > 0 for t in thresholds) and all(a < b for a, b in pairwise(thresholds))
