"""The opportunity reserve: a share of the label's yearly budget kept for what comes up
suddenly (a compilation, a sync, a radio session), with its own rules: every use says
why, never takes more than is left of the year's reserve, and is measured afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.budgets.errors import BudgetLimitReached, BudgetRefused
from storefront.budgets.models import ReserveUse, ReserveYear
from storefront.budgets.spending import check_amount
from storefront.database import lock_row, transactional
from storefront.money import format_cents

MAX_YEARLY_BUDGET_CENTS = 10_000_000_000  # 100 million €
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class ReserveFigures:
    reserve_cents: int
    used_cents: int
    waiting: list[ReserveUse]  # uses whose outcome is not measured yet

    @property
    def left_cents(self) -> int:
        return self.reserve_cents - self.used_cents


def reserve_for(session: Session, year: int) -> ReserveYear | None:
    return session.scalar(select(ReserveYear).where(ReserveYear.year == year))


def used_cents(session: Session, reserve: ReserveYear) -> int:
    """What the year's uses took, fresh from the table."""
    total = select(func.coalesce(func.sum(ReserveUse.amount_cents), 0))
    return int(session.scalar(total.where(ReserveUse.reserve_id == reserve.id)))


def reserve_figures(session: Session, reserve: ReserveYear | None) -> ReserveFigures:
    if reserve is None:
        return ReserveFigures(0, 0, [])
    waiting = [use for use in reserve.uses if use.measured_at is None]
    return ReserveFigures(reserve.reserve_cents, used_cents(session, reserve), waiting)


def _money(cents: int) -> str:
    return format_cents(cents, locale=str(get_locale() or "en"))


def _year_row(session: Session, year: int) -> ReserveYear:
    """The year's row, made when missing (two made at once: one)."""
    found = reserve_for(session, year)
    if found is not None:
        return found
    reserve = ReserveYear(year=year, yearly_budget_cents=0)
    try:
        with session.begin_nested():
            session.add(reserve)
    except IntegrityError:
        return reserve_for(session, year)
    return reserve


@transactional
def set_reserve_year(
    session: Session, *, year: int, yearly_budget_cents: int, share_percent: int
) -> ReserveYear:
    """The year's budget and the share kept as a reserve; never below what is used."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BudgetRefused(_("A year between 2000 and 2100."), field="year")
    if not 0 <= yearly_budget_cents <= MAX_YEARLY_BUDGET_CENTS:
        raise BudgetRefused(_("A yearly budget is at most 100 000 000 €."), field="budget")
    if not 0 <= share_percent <= 100:
        raise BudgetRefused(_("The share is between 0 and 100 %."), field="share")
    reserve = _year_row(session, year)
    reserve.yearly_budget_cents, reserve.share_percent = yearly_budget_cents, share_percent
    session.flush()  # writes the row first, so the uses counted next are all there are
    lock_row(session, ReserveYear, reserve.id)
    used = used_cents(session, reserve)
    if reserve.reserve_cents < used:
        message = _(
            "The reserve would be %(reserve)s, less than the %(used)s already used.",
            reserve=_money(reserve.reserve_cents),
            used=_money(used),
        )
        raise BudgetRefused(message, field="budget")
    return reserve


@transactional
def record_use(
    session: Session,
    reserve: ReserveYear,
    *,
    amount_cents: int,
    used_on: date,
    reason: str,
    release_id: int | None,
    actor: str,
    now: datetime,
) -> ReserveUse:
    """Take `amount_cents` from the year's reserve, for `reason`. Counted once the year's
    row is locked and the use written, so uses sent at once never take more than is left."""
    reason = reason.strip()
    if not reason:
        raise BudgetRefused(_("Say what the reserve is used for."), field="reason")
    check_amount(amount_cents)
    if used_on.year != reserve.year:
        raise BudgetRefused(_("A date in %(year)d.", year=reserve.year), field="used_on")
    # The year's row first (PostgreSQL; locked after the insert, whose foreign key shares
    # it, two uses would deadlock), then the use (SQLite's one write lock), then the count.
    lock_row(session, ReserveYear, reserve.id)
    use = ReserveUse(
        reserve=reserve,
        amount_cents=amount_cents,
        used_on=used_on,
        reason=reason,
        release_id=release_id,
        actor=actor,
    )
    use.created_at = now
    session.add(use)
    session.flush()
    session.refresh(reserve)
    used = used_cents(session, reserve)
    if used > reserve.reserve_cents:
        left = max(reserve.reserve_cents - (used - amount_cents), 0)
        message = _(
            "Only %(left)s is left in the %(year)d reserve.", left=_money(left), year=reserve.year
        )
        raise BudgetLimitReached(message, field="amount")
    return use


@transactional
def record_outcome(
    session: Session, use: ReserveUse, *, outcome: str, outcome_cents: int | None, now: datetime
) -> ReserveUse:
    """What a use brought, measured afterwards (text; cents when it can be counted)."""
    outcome = outcome.strip()
    if not outcome:
        raise BudgetRefused(_("Say what the use brought, even if nothing."), field="outcome")
    if outcome_cents is not None:
        check_amount(outcome_cents, "outcome_cents", zero=True)
    if now.date() < use.used_on:
        message = _("Measure it after the use, from %(day)s on.", day=use.used_on.isoformat())
        raise BudgetRefused(message, field="outcome")
    use.outcome, use.outcome_cents, use.measured_at = outcome, outcome_cents, now
    session.flush()
    return use
