"""The stop-loss and the reserve driven through any sequence of spends and uses, against a
model of their rules (the services, on the test database)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from storefront.budgets.errors import BudgetRefused
from storefront.budgets.models import BudgetLine, ReleaseBudget, ReserveUse, ReserveYear
from storefront.budgets.reserve import record_use
from storefront.budgets.spending import record_spend
from storefront.clock import utcnow
from storefront.extensions import db
from tests.web.test_budgets import paid_order

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    percent=st.integers(1, 300),
    planned=st.integers(0, 5000),
    spends=st.lists(st.tuples(st.integers(1, 4000), st.booleans()), max_size=10),
)
def test_the_stop_loss_follows_its_rule_whatever_the_spends(make_product, percent, planned, spends):
    """Goods of 100 € paid; an essential line planned at `planned`; each spend is taken or
    refused, and the budget freezes, exactly as the rule says."""
    product = make_product(price_cents=10_000)
    paid_order(product)
    budget = ReleaseBudget(release=product.release, stop_loss_percent=percent)
    essential = BudgetLine(category="pressing", planned_cents=planned, essential=True)
    ads = BudgetLine(category="ads", planned_cents=0, essential=False)
    budget.lines = [essential, ads]
    db.session.add(budget)
    db.session.commit()
    counted = essential_spent = 0
    frozen = False
    for amount, on_essential in spends:
        line = essential if on_essential else ads
        try:
            record_spend(
                db.session, line, amount_cents=amount, spent_on=date.today(), note="",
                actor="a@x.org", now=utcnow(),
            )  # fmt: skip
        except BudgetRefused:
            assert frozen and not on_essential
            continue
        assert on_essential or not frozen
        essential_spent += amount if on_essential else 0
        counted += 0 if on_essential else amount
        limit = (10_000 - max(planned, essential_spent)) * percent // 100
        frozen = frozen or counted > limit
        db.session.refresh(budget)
        assert (budget.frozen_at is not None) == frozen
    assert len(budget.freezes) == (1 if frozen else 0)
    db.session.rollback()
    db.session.execute(delete(ReleaseBudget))
    db.session.commit()
    db.session.expunge_all()


@SETTINGS
@given(
    share=st.integers(0, 100),
    amounts=st.lists(st.integers(1, 400_000), max_size=10),
)
def test_the_reserve_takes_a_use_only_when_it_fits(share, amounts):
    reserve = ReserveYear(year=2026, yearly_budget_cents=1_000_000, share_percent=share)
    db.session.add(reserve)
    db.session.commit()
    used = 0
    for amount in amounts:
        fits = used + amount <= 1_000_000 * share // 100
        try:
            record_use(
                db.session, reserve, amount_cents=amount, used_on=date(2026, 5, 1),
                reason="A sync", release_id=None, actor="a@x.org", now=utcnow(),
            )  # fmt: skip
        except BudgetRefused:
            assert not fits
            continue
        assert fits
        used += amount
    assert db.session.scalar(select(func.coalesce(func.sum(ReserveUse.amount_cents), 0))) == used
    db.session.execute(delete(ReserveYear))
    db.session.commit()
    db.session.expunge_all()
