"""A release's budget lines and the money spent on them; where the stop-loss decides.

Recording a spend is the one place a budget freezes: the budget's row is locked, the
spend written, and when the spend on non-essential lines is now over the limit one
conditional UPDATE (`frozen_at IS NULL`) freezes it, so two spends at once freeze it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.budgets.errors import BudgetLimitReached, BudgetRefused
from storefront.budgets.figures import DEFAULT_STOP_LOSS_PERCENT, BudgetFigures, budget_figures
from storefront.budgets.models import (
    BudgetCategory,
    BudgetFreeze,
    BudgetLine,
    BudgetSpend,
    ReleaseBudget,
)
from storefront.catalog.models import Release
from storefront.database import lock_row, transactional

MAX_AMOUNT_CENTS = 100_000_000  # 1 000 000 €: far above a release, far below the integers
MAX_STOP_LOSS_PERCENT = 1000
# Pressing and mastering cannot stop half-way; promo, ads, video and the rest can.
ESSENTIAL_BY_DEFAULT = frozenset({BudgetCategory.PRESSING, BudgetCategory.MASTERING})
CATEGORY_LABELS = {
    BudgetCategory.PRESSING: _l("Pressing"),
    BudgetCategory.MASTERING: _l("Mastering"),
    BudgetCategory.ARTWORK: _l("Artwork"),
    BudgetCategory.PROMO: _l("Promo"),
    BudgetCategory.ADS: _l("Ads"),
    BudgetCategory.VIDEO: _l("Video"),
    BudgetCategory.LOGISTICS: _l("Logistics"),
}


def line_name(line: BudgetLine) -> str:
    """How a line is called on the page: its label, else its category."""
    return line.label or str(CATEGORY_LABELS.get(line.category, line.category))


@dataclass(frozen=True)
class LineFields:
    category: str
    label: str
    planned_cents: int
    essential: bool | None  # None: as the category goes (ESSENTIAL_BY_DEFAULT)


@dataclass(frozen=True)
class SpendRecorded:
    spend: BudgetSpend
    froze: bool  # this spend tripped the stop-loss
    figures: BudgetFigures


def check_amount(cents: int, field: str = "amount", *, zero: bool = False) -> None:
    """Refuse an amount at or under 0 (under 0 when `zero`) or over MAX_AMOUNT_CENTS."""
    if cents < 0 or (cents == 0 and not zero):
        raise BudgetRefused(_("The amount must be more than 0."), field=field)
    if cents > MAX_AMOUNT_CENTS:
        raise BudgetRefused(_("An amount is at most 1 000 000 €."), field=field)


def budget_of(session: Session, release: Release) -> ReleaseBudget | None:
    return session.scalar(select(ReleaseBudget).where(ReleaseBudget.release_id == release.id))


def ensure_budget(session: Session, release: Release) -> ReleaseBudget:
    """The release's budget, made on its first write (two first writes at once: one)."""
    found = budget_of(session, release)
    if found is not None:
        return found
    budget = ReleaseBudget(release=release, stop_loss_percent=DEFAULT_STOP_LOSS_PERCENT)
    try:
        with session.begin_nested():
            session.add(budget)
    except IntegrityError:
        return budget_of(session, release)
    return budget


def _checked(fields: LineFields) -> LineFields:
    if fields.category not in set(BudgetCategory):
        raise BudgetRefused(_("Choose a category from the list."), field="category")
    check_amount(fields.planned_cents, "planned", zero=True)
    if fields.essential is None:
        essential = BudgetCategory(fields.category) in ESSENTIAL_BY_DEFAULT
        return LineFields(fields.category, fields.label, fields.planned_cents, essential)
    return fields


@transactional
def add_line(session: Session, release: Release, fields: LineFields) -> BudgetLine:
    """A new line on the release's budget (the budget is made if it has none)."""
    fields = _checked(fields)
    budget = ensure_budget(session, release)
    line = BudgetLine(
        budget=budget,
        category=fields.category,
        label=fields.label,
        planned_cents=fields.planned_cents,
        essential=fields.essential,
    )
    session.add(line)
    session.flush()
    return line


@transactional
def update_line(session: Session, line: BudgetLine, fields: LineFields) -> BudgetLine:
    """Change a line; a frozen budget's line cannot become essential (that would slip a
    non-essential spend past the freeze)."""
    fields = _checked(fields)
    if line.budget.frozen_at is not None and fields.essential and not line.essential:
        raise BudgetRefused(
            _("The budget is frozen: a line cannot become essential until the freeze is lifted."),
            field="essential",
        )
    line.category, line.label = fields.category, fields.label
    line.planned_cents, line.essential = fields.planned_cents, fields.essential
    session.flush()
    return line


@transactional
def remove_line(session: Session, line: BudgetLine) -> None:
    """Remove a line with no spend (money spent is never erased with its line)."""
    if line.spends:
        raise BudgetRefused(_("This line has spends recorded: it stays, so they do."))
    session.delete(line)
    session.flush()


@transactional
def set_stop_loss(session: Session, release: Release, *, percent: int) -> ReleaseBudget:
    """The release's stop-loss: a spend freezes the budget when non-essential spend goes
    over `percent` % of the expected margin (checked at the next spend)."""
    if not 1 <= percent <= MAX_STOP_LOSS_PERCENT:
        raise BudgetRefused(_("The percent is between 1 and 1000."), field="percent")
    budget = ensure_budget(session, release)
    budget.stop_loss_percent = percent
    session.flush()
    return budget


@transactional
def record_spend(
    session: Session,
    line: BudgetLine,
    *,
    amount_cents: int,
    spent_on: date,
    note: str,
    actor: str,
    now: datetime,
) -> SpendRecorded:
    """Record money spent on `line`; refused on a non-essential line of a frozen budget.
    When it takes the non-essential spend over the limit, it freezes the budget."""
    check_amount(amount_cents)
    budget = line.budget
    # The budget's row (PostgreSQL), then the spend (SQLite's one write lock): from here
    # on, the spends of this budget are counted one after the other.
    lock_row(session, ReleaseBudget, budget.id)
    spend = BudgetSpend(
        line=line, amount_cents=amount_cents, spent_on=spent_on, note=note, actor=actor
    )
    spend.created_at = now
    session.add(spend)
    session.flush()
    session.refresh(budget)
    session.refresh(line)
    if budget.frozen_at is not None and not line.essential:
        raise BudgetLimitReached(
            _(
                "The budget is frozen by its stop-loss: %(line)s is not essential, so it takes "
                "no spend until an admin lifts the freeze. Essential lines can still be paid.",
                line=line_name(line),
            ),
            field="line",
        )
    figures = budget_figures(session, budget.release_id, budget)
    froze = figures.over_limit and _freeze(session, budget, figures, now)
    return SpendRecorded(spend=spend, froze=froze, figures=figures)


def _freeze(session: Session, budget: ReleaseBudget, figures: BudgetFigures, now: datetime) -> bool:
    """Freeze the budget unless it is frozen already; True when this call froze it."""
    taken = session.execute(
        update(ReleaseBudget)
        .where(ReleaseBudget.id == budget.id, ReleaseBudget.frozen_at.is_(None))
        .values(frozen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(budget, ["frozen_at"])
    if not taken:
        return False
    session.add(
        BudgetFreeze(
            budget_id=budget.id,
            frozen_at=now,
            spent_cents=figures.counted_cents,
            margin_cents=figures.margin.margin_cents,
            limit_cents=figures.limit_cents,
        )
    )
    session.flush()
    return True
