"""The dashboard as the admin shows it: each indicator's value, state, zone and trend
over a period, overall or for one release, read from `queries` through `indicators`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.kpis import queries
from storefront.kpis.indicators import RULES, Facts, Rule, State, add_up, state_of
from storefront.kpis.models import IndicatorZone
from storefront.kpis.periods import Period
from storefront.kpis.texts import TEXTS, Texts
from storefront.orders.states import Channel


@dataclass(frozen=True)
class Zone:
    healthy: int
    alert: int


@dataclass(frozen=True)
class Point:
    start: date
    days: int
    value: Fraction | None


@dataclass(frozen=True)
class IndicatorView:
    rule: Rule
    texts: Texts
    applies: bool  # False: a label-wide indicator on a release's dashboard
    value: Fraction | None
    state: State
    zone: Zone
    points: tuple[Point, ...]
    facts: Facts

    @property
    def key(self) -> str:
        return self.rule.key


@dataclass(frozen=True)
class Dashboard:
    period: Period
    release_id: int | None
    indicators: tuple[IndicatorView, ...]
    channel_cents: tuple[tuple[Channel, int], ...]

    def indicator(self, key: str) -> IndicatorView:
        return next(view for view in self.indicators if view.key == key)


def zones(session: Session) -> dict[str, Zone]:
    """Every indicator's zone: the label's own where set, the default otherwise."""
    stored = {row.indicator: row for row in session.scalars(select(IndicatorZone))}
    return {
        rule.key: Zone(stored[rule.key].healthy, stored[rule.key].alert)
        if rule.key in stored
        else Zone(rule.healthy, rule.alert)
        for rule in RULES
    }


def read_facts(
    session: Session, period: Period, release_id: int | None
) -> tuple[Facts, list[tuple[date, Facts]]]:
    """The period's sums and each chart bucket's, from a dozen aggregate queries.

    A bucket's returning fans are its paying fans less those new in it."""
    sums = queries.bucket_sums(session, period, release_id)
    paying, returning, new_fans = queries.fans(session, period, release_id)
    restocks = queries.restocks(session, period, release_id)
    subscribed = queries.subscribers_before(session, period.starts_at) if release_id is None else 0
    buckets = []
    for start, days in period.buckets():
        row = dict(sums.get(start, {}))
        subscribed += row.get("new_subscribers", 0) - row.pop("left_subscribers", 0)
        row["returning_fans"] = row.get("paying_fans", 0) - new_fans.get(start, 0)
        facts = Facts(days=days, **row)
        facts.subscribers_at_end = subscribed
        facts.restock_seconds = tuple(seconds for day, seconds in restocks if day == start)
        buckets.append((start, facts))
    total = add_up(facts for _start, facts in buckets)
    total.paying_fans, total.returning_fans = paying, returning
    total.subscribers_at_end = subscribed
    total.restock_seconds = tuple(seconds for _day, seconds in restocks)
    return total, buckets


def read_dashboard(session: Session, *, period: Period, release_id: int | None) -> Dashboard:
    """Every indicator over `period`, overall (`release_id` None) or for one release."""
    total, buckets = read_facts(session, period, release_id)
    label_zones = zones(session)
    views = []
    for rule in RULES:
        applies = release_id is None or rule.per_release
        value = rule.value(total) if applies else None
        zone = label_zones[rule.key]
        points = tuple(
            Point(start, facts.days, rule.value(facts) if applies else None)
            for start, facts in buckets
        )
        state = state_of(rule, value, healthy=zone.healthy, alert=zone.alert)
        views.append(
            IndicatorView(rule, TEXTS[rule.key], applies, value, state, zone, points, total)
        )
    channels = (
        (Channel.SHOP, total.shop_cents),
        (Channel.STAND, total.stand_cents),
        (Channel.DISTRIBUTOR, total.distributor_cents),
    )
    return Dashboard(period, release_id, tuple(views), channels)
