"""The expected margin and the stop-loss limit, with figures checked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.budgets.margin import (
    CampaignOutlook,
    EssentialCost,
    PaidOrder,
    expected_margin,
    net_goods_cents,
    stop_loss_limit,
    trips,
)

ORDERS = [
    PaidOrder(goods_cents=4800, total_cents=5500, refunded_cents=0),  # 4 800
    PaidOrder(goods_cents=2400, total_cents=3100, refunded_cents=3100),  # refunded: 0
    PaidOrder(goods_cents=2400, total_cents=6000, refunded_cents=1000),  # 2 400 - 400
    PaidOrder(goods_cents=1000, total_cents=3000, refunded_cents=1),  # 1 000 - 1 (rounded up)
]
ESSENTIALS = [
    EssentialCost(planned_cents=150_000, spent_cents=0),  # pressing, as planned
    EssentialCost(planned_cents=30_000, spent_cents=35_000),  # mastering, overran: 35 000
]


def test_refunds_are_shared_over_the_order_and_round_against_the_margin():
    assert [net_goods_cents(order) for order in ORDERS] == [4800, 0, 2000, 999]


def test_the_margin_adds_the_campaign_still_expected_and_takes_off_essentials():
    outlook = CampaignOutlook(goal_units=200, paid_units=40, unit_price_cents=2000)
    margin = expected_margin(ORDERS, outlook, ESSENTIALS)
    assert margin.paid_cents == 7799
    assert margin.projected_cents == 320_000  # 160 units x 20 €
    assert margin.revenue_cents == 327_799
    assert margin.essential_cents == 185_000
    assert margin.margin_cents == 142_799
    assert stop_loss_limit(margin.margin_cents, 150) == 214_198  # 214 198,5 rounded down


def test_a_campaign_past_its_goal_or_none_expects_nothing_more():
    past = CampaignOutlook(goal_units=100, paid_units=120, unit_price_cents=2000)
    assert past.units_to_goal == 0
    assert expected_margin(ORDERS, past, []).margin_cents == 7799
    assert expected_margin([], None, ESSENTIALS).margin_cents == -185_000


def test_the_limit_trips_one_cent_over_not_at_it():
    assert not trips(10_000, 10_000)
    assert trips(10_001, 10_000)
    assert trips(1, stop_loss_limit(-185_000, 100))  # no margin: any spend trips it
    assert stop_loss_limit(-57_201, 150) == -85_802  # rounded down, against the margin


def test_the_percent_is_positive():
    with pytest.raises(ValueError):
        stop_loss_limit(10_000, 0)


@given(
    goods=st.integers(0, 10**8),
    rest=st.integers(0, 10**8),
    refunded=st.integers(0, 3 * 10**8),
)
def test_the_net_goods_stay_between_nothing_and_the_goods(goods, rest, refunded):
    order = PaidOrder(goods, goods + rest, refunded)
    net = net_goods_cents(order)
    assert 0 <= net <= goods
    if refunded >= goods + rest:
        assert net == 0
    if refunded == 0:
        assert net == goods
    # More refunded never leaves more.
    assert net_goods_cents(PaidOrder(goods, goods + rest, refunded + 1)) <= net
