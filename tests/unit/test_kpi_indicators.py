"""The indicators' pure rules: states against zones, zones refused, periods' buckets."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.kpis.indicators import (
    RULES_BY_KEY,
    Facts,
    State,
    add_up,
    median_days,
    ratio,
    state_of,
    zone_problem,
)
from storefront.kpis.periods import Period, preset

CONVERSION = RULES_BY_KEY["preorder_conversion"]  # more is better, percent
RETURNS = RULES_BY_KEY["returns_rate"]  # less is better, percent


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (Fraction(5, 100), State.HEALTHY),  # 500 bp = the healthy bound
        (Fraction(3, 100), State.WATCH),
        (Fraction(2, 100), State.ALERT),  # 200 bp = the alert threshold
        (None, State.NO_DATA),
    ],
)
def test_more_is_better(value, state):
    assert state_of(CONVERSION, value, healthy=500, alert=200) == state


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (Fraction(1, 100), State.HEALTHY),
        (Fraction(4, 100), State.WATCH),
        (Fraction(1, 20), State.ALERT),
    ],
)
def test_less_is_better(value, state):
    assert state_of(RETURNS, value, healthy=200, alert=500) == state


def test_nothing_to_divide_by_is_no_data_not_zero():
    assert ratio(0, 0) is None
    assert ratio(0, 4) == 0
    assert median_days([]) is None
    assert median_days([86_400, 3 * 86_400]) == 2


@pytest.mark.parametrize(
    ("rule", "healthy", "alert", "problem"),
    [
        (CONVERSION, 200, 500, "healthy_not_above"),
        (CONVERSION, 500, 500, "healthy_not_above"),
        (RETURNS, 500, 200, "healthy_not_below"),
        (RETURNS, 200, 10_001, "over_100"),
        (CONVERSION, -1, -5, "negative"),
        (CONVERSION, 500, 200, None),
    ],
)
def test_zones_that_cannot_be_kept(rule, healthy, alert, problem):
    assert zone_problem(rule, healthy=healthy, alert=alert) == problem


@given(
    value=st.fractions(min_value=0, max_value=1),
    alert=st.integers(0, 9_999),
    gap=st.integers(1, 5_000),
)
def test_states_follow_the_value(value, alert, gap):
    """More is better: a higher value is never in a worse state than a lower one."""
    healthy = min(alert + gap, 10_000)
    order = [State.ALERT, State.WATCH, State.HEALTHY]
    low = state_of(CONVERSION, value, healthy=healthy, alert=alert)
    high = state_of(CONVERSION, value + Fraction(1, 100), healthy=healthy, alert=alert)
    assert order.index(high) >= order.index(low)


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    length=st.integers(1, 800),
)
def test_buckets_cover_the_period_exactly(start, length):
    period = Period(start, start + timedelta(days=length - 1))
    buckets = period.buckets()
    assert sum(days for _first, days in buckets) == period.days
    assert all(days <= (1 if period.daily else 7) for _first, days in buckets)
    if not period.daily:
        assert all(first.weekday() == 0 for first, _days in buckets)
    totals = add_up(Facts(days=days, visitors=1) for _first, days in buckets)
    assert (totals.days, totals.visitors) == (period.days, len(buckets))


def test_presets_end_today():
    today = date(2026, 3, 29)
    assert preset("4w", today) == Period(date(2026, 3, 2), today)
    assert preset("nonsense", today) == preset("4w", today)
