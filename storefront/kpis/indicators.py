"""The indicators as pure arithmetic: what each one is computed from, its value, and
whether it sits in its healthy zone. No Flask, no database: `queries` gathers the sums.

Values are exact (`Fraction`); zone bounds are integers in hundredths of the unit the
label reads (basis points for a percentage, cents for money, hundredths of a unit per
week or of a day), so "2,5 %" is 250 and compares exactly."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from fractions import Fraction


class Unit(StrEnum):
    PERCENT = "percent"  # a share: the value is a ratio, read as a percentage
    MONEY = "money"  # cents
    PER_WEEK = "per_week"  # a count per week
    DAYS = "days"


# What one unit of the value is worth in hundredths of what the label reads and types.
_HUNDREDTHS = {Unit.PERCENT: 10_000, Unit.MONEY: 1, Unit.PER_WEEK: 100, Unit.DAYS: 100}


class State(StrEnum):
    HEALTHY = "healthy"
    WATCH = "watch"
    ALERT = "alert"
    NO_DATA = "no_data"


@dataclass
class Facts:
    """The sums one period (or one chart bucket) is read from; all counts and cents.

    Additive fields add up across buckets; `paying_fans`, `returning_fans`,
    `subscribers_at_end` and `restock_seconds` do not, and are counted per period."""

    days: int = 0
    visitors: int = 0
    paid_preorders: int = 0
    paid_orders: int = 0
    goods_net_cents: int = 0
    new_subscribers: int = 0
    subscribers_at_end: int = 0
    shipped_orders: int = 0
    returned_orders: int = 0
    shop_cents: int = 0
    stand_cents: int = 0
    distributor_cents: int = 0
    paying_fans: int = 0
    returning_fans: int = 0
    restock_seconds: tuple[int, ...] = field(default=())
    ads_cents: int = 0
    playlist_adds: int = 0
    playlist_weeks: int = 0  # weekly counts typed in for the period

    @property
    def weeks(self) -> Fraction:
        return Fraction(self.days, 7)

    @property
    def all_cents(self) -> int:
        return self.shop_cents + self.stand_cents + self.distributor_cents


ADDITIVE = tuple(
    f.name
    for f in fields(Facts)
    if f.name not in {"paying_fans", "returning_fans", "subscribers_at_end", "restock_seconds"}
)


def add_up(parts: Iterable[Facts]) -> Facts:
    """The additive sums of `parts` (a period read from its buckets)."""
    total = Facts()
    for part in parts:
        for name in ADDITIVE:
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def ratio(part: int, whole: int) -> Fraction | None:
    """`part / whole` exactly; None (no data) when there is nothing to divide by."""
    return Fraction(part, whole) if whole else None


def median_days(seconds: Iterable[int]) -> Fraction | None:
    """The median of durations given in seconds, in days; None without any."""
    values = sorted(seconds)
    return Fraction(statistics.median(Fraction(s) for s in values)) / 86_400 if values else None


def _per_week(count: int, weeks: Fraction, present: bool) -> Fraction | None:
    return count / weeks if present and weeks else None


def _has_list(facts: Facts) -> bool:
    """Subscribers are "no data" only while the list is empty (no one, no one new)."""
    return bool(facts.subscribers_at_end or facts.new_subscribers)


@dataclass(frozen=True)
class Rule:
    """An indicator's arithmetic: its unit, which way is good, its default zone (in
    hundredths, see the module's docstring), whether it reads per release, its value."""

    key: str
    unit: Unit
    higher_is_better: bool
    healthy: int
    alert: int
    per_release: bool
    value: Callable[[Facts], Fraction | None]


RULES: tuple[Rule, ...] = (
    Rule("preorder_conversion", Unit.PERCENT, True, 500, 200, True,
         lambda f: ratio(f.paid_preorders, f.visitors)),
    Rule("average_basket", Unit.MONEY, True, 3000, 2000, True,
         lambda f: ratio(f.goods_net_cents, f.paid_orders)),
    Rule("newsletter_subscribers", Unit.PER_WEEK, True, 1000, 300, False,
         lambda f: _per_week(f.new_subscribers, f.weeks, _has_list(f))),
    Rule("returns_rate", Unit.PERCENT, False, 200, 500, True,
         lambda f: ratio(f.returned_orders, f.shipped_orders)),
    Rule("stand_share", Unit.PERCENT, True, 3000, 1500, True,
         lambda f: ratio(f.stand_cents, f.all_cents)),
    Rule("direct_share", Unit.PERCENT, True, 7000, 5000, True,
         lambda f: ratio(f.shop_cents + f.stand_cents, f.all_cents)),
    Rule("returning_fans", Unit.PERCENT, True, 3000, 1500, True,
         lambda f: ratio(f.returning_fans, f.paying_fans)),
    Rule("median_restock_days", Unit.DAYS, False, 2100, 4500, True,
         lambda f: median_days(f.restock_seconds)),
    Rule("acquisition_cost", Unit.MONEY, False, 200, 500, False,
         lambda f: ratio(f.ads_cents, f.new_subscribers)),
    Rule("playlist_adds", Unit.PER_WEEK, True, 500, 0, True,
         lambda f: _per_week(f.playlist_adds, f.weeks, bool(f.playlist_weeks))),
)  # fmt: skip
RULES_BY_KEY = {rule.key: rule for rule in RULES}


def level(rule: Rule, value: Fraction) -> Fraction:
    """`value` in hundredths of what the label reads (what zone bounds are written in)."""
    return value * _HUNDREDTHS[rule.unit]


def state_of(rule: Rule, value: Fraction | None, *, healthy: int, alert: int) -> State:
    """Healthy at or past the healthy bound, alert at or past the alert bound (for an
    indicator where more is better: at or under it), watch in between."""
    if value is None:
        return State.NO_DATA
    x = level(rule, value)
    if rule.higher_is_better:
        return State.HEALTHY if x >= healthy else State.ALERT if x <= alert else State.WATCH
    return State.HEALTHY if x <= healthy else State.ALERT if x >= alert else State.WATCH


def zone_problem(rule: Rule, *, healthy: int, alert: int) -> str | None:
    """Why a zone cannot be kept (a code the form turns into words), or None."""
    if healthy < 0 or alert < 0:
        return "negative"
    if rule.unit == Unit.PERCENT and max(healthy, alert) > 10_000:
        return "over_100"
    if rule.higher_is_better and healthy <= alert:
        return "healthy_not_above"
    if not rule.higher_is_better and healthy >= alert:
        return "healthy_not_below"
    return None
