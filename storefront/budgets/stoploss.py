"""The stop-loss: which budgets are frozen, and lifting a freeze.

A budget freezes in one place only, `spending.record_spend`, when a spend takes what
was spent on its non-essential lines over its limit (`margin.stop_loss_limit`). While
frozen, non-essential lines take no spend; essential ones still do. An admin lifts it
with a reason, kept in the freeze's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.budgets.errors import BudgetRefused
from storefront.budgets.models import BudgetFreeze, ReleaseBudget
from storefront.catalog.models import Release
from storefront.database import transactional


@dataclass(frozen=True)
class FrozenBudget:
    """A frozen budget as the dashboard shows it: the figures at the moment it froze."""

    release_id: int
    release_title: str
    spent_cents: int  # spent on its non-essential lines
    expected_margin_cents: int
    limit_cents: int
    frozen_at: datetime


def frozen_budgets(session: Session) -> list[FrozenBudget]:
    """Every budget frozen now, the most recently frozen first (one query)."""
    rows = session.execute(
        select(ReleaseBudget.release_id, Release.title, BudgetFreeze)
        .join(Release, Release.id == ReleaseBudget.release_id)
        .join(BudgetFreeze, BudgetFreeze.budget_id == ReleaseBudget.id)
        .where(ReleaseBudget.frozen_at.is_not(None), BudgetFreeze.lifted_at.is_(None))
        .order_by(BudgetFreeze.frozen_at.desc(), BudgetFreeze.id.desc())
    ).all()
    return [
        FrozenBudget(
            release_id=release_id,
            release_title=title,
            spent_cents=freeze.spent_cents,
            expected_margin_cents=freeze.margin_cents,
            limit_cents=freeze.limit_cents,
            frozen_at=freeze.frozen_at,
        )
        for release_id, title, freeze in rows
    ]


def open_freeze(budget: ReleaseBudget) -> BudgetFreeze | None:
    """The freeze that holds the budget now, if it is frozen."""
    if budget.frozen_at is None:
        return None
    return next((f for f in reversed(budget.freezes) if f.lifted_at is None), None)


@transactional
def lift_freeze(
    session: Session, budget: ReleaseBudget, *, reason: str, actor: str, now: datetime
) -> BudgetFreeze:
    """Let non-essential lines take spends again, for `reason` (kept with the freeze).

    The rule itself is unchanged: when the spend is still over the limit, the next spend
    freezes the budget again, so an admin who means to go on raises the percent too."""
    reason = reason.strip()
    if not reason:
        raise BudgetRefused(_("Say why the freeze is lifted."), field="reason")
    freeze = open_freeze(budget)
    if freeze is None:
        raise BudgetRefused(_("This budget is not frozen."))
    freeze.lifted_at, freeze.lifted_by, freeze.lift_reason = now, actor, reason
    budget.frozen_at = None
    session.flush()
    return freeze
