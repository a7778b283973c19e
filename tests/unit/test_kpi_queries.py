"""Each indicator computed from the database for a small known month, by hand.

The month: Monday 2 March to Sunday 29 March 2026 (28 days, four weekly points).
Release A sells a 20,00 € vinyl, release B a 30,00 € one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import count

import pytest

from storefront.budgets.models import BudgetLine, BudgetSpend, ReleaseBudget
from storefront.extensions import db
from storefront.fulfilment.models import Return
from storefront.inventory.models import RestockOrder
from storefront.kpis.dashboard import read_dashboard, read_facts
from storefront.kpis.indicators import State
from storefront.kpis.models import PlaylistAdds, ReleaseVisit
from storefront.kpis.periods import Period
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order, OrderLine
from storefront.preorders.models import Backing, Campaign

MONTH = Period(date(2026, 3, 2), date(2026, 3, 29))
_numbers = count(1)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def make_order(lines, *, paid, channel="shop", fan="", status="paid", refunded=0, shipped=None):
    """An order of `lines` ((product, quantity) pairs) paid at `paid` (None: pending)."""
    subtotal = sum(product.price_cents * quantity for product, quantity in lines)
    shipping = 500 if channel == "shop" else 0
    order = Order(
        reference=f"REF{next(_numbers)}",
        status=status,
        email=f"{fan or 'shop'}@example.org",
        fan_key=f"{fan}@example.org" if fan else "",
        channel=channel,
        subtotal_cents=subtotal,
        shipping_cents=shipping,
        total_cents=subtotal + shipping,
        refunded_cents=refunded,
        provider="test",
        reserved_until=(paid or at(3, 1)) + timedelta(minutes=30),
        paid_at=paid,
        shipped_at=shipped,
        lines=[
            OrderLine(
                product=product,
                description=product.name,
                kind=product.kind,
                unit_price_cents=product.price_cents,
                quantity=quantity,
            )
            for product, quantity in lines
        ],
    )
    db.session.add(order)
    return order


def visits(release, day, how_many):
    for n in range(how_many):
        db.session.add(ReleaseVisit(release_id=release.id, day=day, visitor=f"{day}-{n}"))


@pytest.fixture
def label_month(make_product):
    """The known month (see each test for its arithmetic); returns (release A, release B)."""
    a = make_product(price_cents=2000, stock=100)
    b = make_product(price_cents=3000, stock=100)
    make_order([(a, 1)], paid=at(2, 10), fan="ben")  # before the month: ben returns
    o1 = make_order([(a, 1)], paid=at(3, 3), fan="ana", shipped=at(3, 5))
    o2 = make_order([(b, 1), (a, 1)], paid=at(3, 10), fan="ben", refunded=1000, shipped=at(3, 11))
    make_order([(a, 2)], paid=at(3, 12), channel="stand", fan="ana")
    make_order([(b, 2)], paid=at(3, 20), channel="distributor")
    o5 = make_order([(a, 1)], paid=at(3, 21), fan="cleo", status="refunded", refunded=2500)
    make_order([(b, 1)], paid=None, fan="dan", status="pending")
    db.session.flush()
    db.session.add(Return(order_id=o1.id, reason="damaged", outcome="restock", actor="admin"))
    campaign = Campaign(
        release=a.release, opens_at=at(2, 1), closes_at=at(4, 30), ships_on=date(2026, 6, 1)
    )
    db.session.add(campaign)
    for order, refunded_at in ((o1, None), (o2, None), (o5, at(3, 22))):
        db.session.add(
            Backing(
                campaign=campaign,
                order_id=order.id,
                email=order.email,
                units=1,
                amount_cents=2000,
                paid_at=order.paid_at,
                refunded_at=refunded_at,
            )
        )
    visits(a.release, date(2026, 3, 3), 3)
    visits(a.release, date(2026, 3, 10), 2)
    visits(b.release, date(2026, 3, 11), 5)
    visits(a.release, date(2026, 2, 20), 50)  # before the month
    for email, confirmed, left in (
        ("s1", at(2, 1), None),
        ("s2", at(2, 1), at(3, 15)),
        ("s3", at(3, 4), None),
        ("s4", at(3, 20), None),
        ("s5", None, None),
    ):
        db.session.add(
            Subscriber(
                email=f"{email}@x.org", email_key=f"{email}@x.org",
                confirmed_at=confirmed, unsubscribed_at=left,
            )
        )  # fmt: skip
    budget = ReleaseBudget(release=a.release)
    ads = BudgetLine(budget=budget, category="ads")
    promo = BudgetLine(budget=budget, category="promo")
    for line, cents, day in (
        (ads, 1000, date(2026, 3, 5)),
        (ads, 500, date(2026, 3, 25)),
        (promo, 9999, date(2026, 3, 6)),
        (ads, 7777, date(2026, 2, 20)),
    ):
        db.session.add(BudgetSpend(line=line, amount_cents=cents, spent_on=day, actor="admin"))
    db.session.add(budget)
    for product, ordered, received in (
        (a, at(2, 20), at(3, 2)),
        (a, at(3, 1), at(3, 21)),
        (b, at(3, 10), at(3, 14)),
        (b, at(3, 20), None),
    ):
        db.session.add(
            RestockOrder(
                product=product, quantity=50, ordered_at=ordered, received_at=received, actor="a"
            )
        )
    for week, release, adds in (
        (date(2026, 3, 2), None, 4),
        (date(2026, 3, 9), a.release.id, 6),
        (date(2026, 3, 16), b.release.id, 2),
        (date(2026, 2, 23), None, 100),
    ):
        db.session.add(PlaylistAdds(week=week, release_id=release, adds=adds))
    db.session.commit()
    return a.release, b.release


def values(release_id=None, period=MONTH):
    board = read_dashboard(db.session, period=period, release_id=release_id)
    return {view.key: view.value for view in board.indicators}, board


def test_each_indicator_overall(label_month):
    got, _board = values()
    # Paid preorders 2 (the refunded backing does not count) ÷ visitors 3 + 2 + 5 = 10.
    assert got["preorder_conversion"] == Fraction(2, 10)
    # Paid orders not fully refunded: 1, 2, stand, distributor = 4; goods net of refunds
    # 2000 + (5000 - 1000) + 4000 + 6000 = 16000; 16000 / 4 = 4000 cents.
    assert got["average_basket"] == 4000
    # New confirmed: s3, s4 = 2 over 4 weeks = 1/2 a week.
    assert got["newsletter_subscribers"] == Fraction(1, 2)
    # Posted in the month: orders 1 and 2; order 1 came back: 1/2.
    assert got["returns_rate"] == Fraction(1, 2)
    # Stand 4000 ÷ all 16000 (shop 2000 + 4000, stand 4000, distributor 6000).
    assert got["stand_share"] == Fraction(1, 4)
    # (6000 + 4000) ÷ 16000.
    assert got["direct_share"] == Fraction(5, 8)
    # Paying fans ana, ben (cleo's only order was refunded, distributor has no fan);
    # ben had paid in February: 1/2.
    assert got["returning_fans"] == Fraction(1, 2)
    # Received in the month after 10 (20 Feb -> 2 Mar, February 2026 has 28 days), 20 and
    # 4 days (the one not received yet apart): median of 4, 10, 20 = 10 days.
    assert got["median_restock_days"] == 10
    # Ads spent in the month 1000 + 500 (promo and February apart) ÷ 2 new = 750 cents.
    assert got["acquisition_cost"] == 750
    # Counts typed for the month 4 + 6 + 2 = 12 over 4 weeks = 3 a week.
    assert got["playlist_adds"] == 3


def test_subscribers_at_the_end_of_the_month(label_month):
    _got, board = values()
    # s1, s3, s4 (s2 left on 15 March, s5 never confirmed).
    assert board.indicator("newsletter_subscribers").facts.subscribers_at_end == 3


def test_one_release(label_month):
    a, _b = label_month
    got, _board = values(a.id)
    assert got["preorder_conversion"] == Fraction(2, 5)  # 2 backings ÷ 3 + 2 visitors
    # Orders holding A: 1 (2000), 2 (5000 - 1000), stand (4000): 10000 / 3.
    assert got["average_basket"] == Fraction(10000, 3)
    # A's own lines: shop 2000 + 2000, stand 4000, distributor 0: stand 1/2, direct all.
    assert got["stand_share"] == Fraction(1, 2)
    assert got["direct_share"] == 1
    assert got["median_restock_days"] == 15  # A's restocks: (10 + 20) / 2 days
    assert got["playlist_adds"] == Fraction(6, 4)
    # Label-wide indicators are not read for one release.
    assert got["newsletter_subscribers"] is None
    assert got["acquisition_cost"] is None


def test_trend_has_one_point_a_week(label_month):
    _got, board = values()
    points = board.indicator("preorder_conversion").points
    assert [p.start for p in points] == [date(2026, 3, d) for d in (2, 9, 16, 23)]
    # Week 1: 1 backing ÷ 3 visitors; week 2: 1 ÷ (2 + 5); then nobody visited.
    assert [p.value for p in points] == [Fraction(1, 3), Fraction(1, 7), None, None]


def test_a_short_period_has_one_point_a_day(label_month):
    _got, board = values(period=Period(date(2026, 3, 3), date(2026, 3, 5)))
    points = board.indicator("average_basket").points
    assert [(p.start.day, p.value) for p in points] == [(3, 2000), (4, None), (5, None)]


def test_an_empty_period_has_no_data(label_month):
    _got, board = values(period=Period(date(2025, 1, 1), date(2025, 1, 28)))
    assert {view.state for view in board.indicators} == {State.NO_DATA}
    assert all(view.value is None for view in board.indicators)


def test_an_empty_shop_has_no_data(app):
    _got, board = values()
    assert {view.state for view in board.indicators} == {State.NO_DATA}


def test_a_full_refund_takes_an_order_out(label_month):
    stand_sale = db.session.query(Order).filter_by(channel="stand").one()
    stand_sale.status, stand_sale.refunded_cents = "refunded", 4000
    db.session.commit()
    got, _board = values()
    # Left: 2000 + 4000 + 6000 = 12000 over 3 orders; the stand sold nothing that stayed.
    assert got["average_basket"] == 4000
    assert got["stand_share"] == 0
    # Ana's only other order (1) still counts her; ben still returns: 1/2.
    assert got["returning_fans"] == Fraction(1, 2)


def _reference(orders, returned_ids, period, release=None):
    """Each bucket's figures counted in Python from the orders themselves, the slow way:
    what the dashboard's queries must find, whatever shortcut they take (for the orders
    holding `release`, when given; a fan returns after any earlier payment)."""

    def holds(order):
        return release is None or any(line.product.release_id == release for line in order.lines)

    def midnight(day):
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    def paying(order):
        return order.paid_at is not None and order.status != "refunded"

    def inside(moment, first):
        low = max(first, period.start)
        high = min(first + timedelta(days=period.step), period.end + timedelta(days=1))
        return moment is not None and midnight(low) <= moment < midnight(high)

    def paid_before(fan, moment):
        return any(paying(o) and o.fan_key == fan and o.paid_at < moment for o in orders)

    rows = []
    for first, _days in period.buckets():
        sold = [o for o in orders if paying(o) and holds(o) and inside(o.paid_at, first)]
        fans = {o.fan_key for o in sold if o.fan_key}
        posted = [o for o in orders if holds(o) and inside(o.shipped_at, first)]
        rows.append(
            {
                "paid_orders": len(sold),
                "goods_net_cents": sum(max(o.subtotal_cents - o.refunded_cents, 0) for o in sold),
                "stand_cents": sum(
                    max(o.subtotal_cents - o.refunded_cents, 0)
                    for o in sold
                    if o.channel == "stand"
                ),
                "paying_fans": len(fans),
                "returning_fans": sum(paid_before(fan, midnight(first)) for fan in fans),
                "shipped_orders": len(posted),
                "returned_orders": sum(o.id in returned_ids for o in posted),
            }
        )
    in_period = {
        o.fan_key
        for o in orders
        if paying(o)
        and holds(o)
        and o.fan_key
        and midnight(period.start) <= o.paid_at < period.ends_before
    }
    returning = sum(paid_before(fan, period.starts_at) for fan in in_period)
    return rows, len(in_period), returning


@pytest.mark.parametrize("one_release", [False, True], ids=["label", "release"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "period",
    [
        Period(date(2026, 3, 4), date(2026, 4, 20)),  # weeks; starts and ends mid-week
        Period(date(2026, 3, 9), date(2026, 3, 18)),  # days
    ],
    ids=["weeks", "days"],
)
def test_figures_match_a_count_by_hand_of_random_orders(make_product, seed, period, one_release):
    """Random fans, channels, refunds, posts and returns, many of them on the edges (a
    bucket's or the period's first instant, the microsecond before midnight, the days
    of the first week before the period starts): every bucket's figures and the
    period's fans are those counted one order at a time."""
    import random

    rng = random.Random(seed)
    product = make_product(price_cents=1000, stock=1000)
    other = make_product(price_cents=1000, stock=1000)  # another release
    edges = [
        period.starts_at,
        period.ends_before - timedelta(microseconds=1),
        period.ends_before,
        datetime.combine(period.first_bucket, datetime.min.time(), tzinfo=UTC),
    ]
    orders = []
    for _ in range(80):
        day = period.start + timedelta(days=rng.randrange(-9, period.days + 3))
        moment = rng.choice(
            [
                datetime(day.year, day.month, day.day, tzinfo=UTC),
                datetime(day.year, day.month, day.day, 23, 59, 59, 999_999, tzinfo=UTC),
                datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC),
                rng.choice(edges),
            ]
        )
        channel = rng.choice(["shop", "shop", "stand", "distributor"])
        status = rng.choice(["paid", "paid", "shipped", "refunded", "pending"])
        refunded = {"refunded": 1000 * 2}.get(status, rng.choice([0, 0, 500]))
        shipped = moment + timedelta(days=rng.randrange(3)) if rng.random() < 0.5 else None
        orders.append(
            make_order(
                rng.choice([[(product, 2)], [(other, 2)], [(product, 1), (other, 1)]]),
                paid=None if status == "pending" else moment,
                channel=channel,
                fan="" if channel == "distributor" else f"fan{rng.randrange(15)}",
                status=status,
                refunded=refunded,
                shipped=shipped,
            )
        )
    # A fan new in the period whose first payment is the microsecond before a bucket
    # ends: new in that bucket (a rounding to the millisecond would move it on).
    second_bucket = period.nth_bucket(1)
    edge = datetime.combine(second_bucket, datetime.min.time(), tzinfo=UTC)
    orders.append(make_order([(product, 1)], paid=edge - timedelta(microseconds=1), fan="eve"))
    db.session.flush()
    returned_ids = {o.id for o in orders if o.shipped_at and rng.random() < 0.3}
    for order_id in returned_ids:
        db.session.add(Return(order_id=order_id, reason="damaged", outcome="restock", actor="a"))
    db.session.commit()

    release = product.release_id if one_release else None
    total, buckets = read_facts(db.session, period, release)
    expected, paying, returning = _reference(orders, returned_ids, period, release)
    if one_release:  # a release's channels are its own lines at their price
        for row in expected:
            del row["stand_cents"]
    got = [{name: getattr(facts, name) for name in expected[0]} for _start, facts in buckets]
    assert got == expected
    assert (total.paying_fans, total.returning_fans) == (paying, returning)
    # The draw has fans of both kinds, new and returning, in the buckets and overall.
    assert 0 < returning < paying
    assert any(0 < row["returning_fans"] < row["paying_fans"] for row in expected)
