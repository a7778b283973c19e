"""The aggregate queries the indicators are read from: one GROUP BY per source, by chart
bucket, so the dashboard costs a dozen queries whatever the number of orders.

Refunds (each indicator's help text says the same): a fully refunded order is no sale
and counts nowhere; a partly refunded one counts with its goods less what was given back
(overall figures; a release's own figures take its lines at their price)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Date, DateTime, case, cast, distinct, exists, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storefront.budgets.models import BudgetCategory, BudgetLine, BudgetSpend
from storefront.catalog.models import Product
from storefront.fulfilment.models import Return
from storefront.inventory.models import RestockOrder
from storefront.kpis.models import PlaylistAdds, ReleaseVisit
from storefront.kpis.periods import Period
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import Channel, OrderStatus
from storefront.preorders.models import Backing, Campaign

Buckets = dict[date, dict[str, int]]


def _bucket(session: Session, column, period: Period, *, is_date: bool = False) -> ColumnElement:
    """The SQL for the chart bucket (a day, or the Monday of its week) `column` falls in."""
    if session.get_bind().dialect.name == "postgresql":
        day = column if is_date else func.timezone("UTC", column)
        return cast(func.date_trunc("day" if period.daily else "week", day), Date)
    return func.date(column) if period.daily else func.date(column, "weekday 0", "-6 days")


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _collect(session: Session, query, names: tuple[str, ...], into: Buckets) -> None:
    for bucket, *values in session.execute(query):
        row = into[_day(bucket)]
        for name, value in zip(names, values, strict=True):
            row[name] = row.get(name, 0) + int(value or 0)


def _in(column, period: Period):
    return column.between(period.start, period.end)


def _paid_in(period: Period):
    """Orders whose money was taken in the period and not all given back."""
    return (
        Order.paid_at >= period.starts_at,
        Order.paid_at < period.ends_before,
        Order.status != OrderStatus.REFUNDED,
    )


def _has_release(release_id: int):
    return exists(
        select(OrderLine.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == Order.id, Product.release_id == release_id)
    )


NET_GOODS = case(
    (Order.refunded_cents >= Order.subtotal_cents - Order.discount_cents, 0),
    else_=Order.subtotal_cents - Order.discount_cents - Order.refunded_cents,
)
LINE_GOODS = OrderLine.unit_price_cents * OrderLine.quantity - OrderLine.discount_cents
CHANNEL_FIELDS = ("shop_cents", "stand_cents", "distributor_cents")  # in `Channel`'s order


def bucket_sums(session: Session, period: Period, release_id: int | None) -> Buckets:
    """The additive sums of every source, by chart bucket."""
    out: Buckets = defaultdict(dict)
    for query, names in _additive_queries(session, period, release_id):
        _collect(session, query, names, out)
    return out


def _additive_queries(session: Session, period: Period, release_id: int | None):
    yield _visits(session, period, release_id), ("visitors",)
    yield _preorders(session, period, release_id), ("paid_preorders",)
    if release_id is None:
        yield _sales(session, period), ("paid_orders", "goods_net_cents", *CHANNEL_FIELDS)
    else:
        yield _baskets(session, period, release_id), ("paid_orders", "goods_net_cents")
        yield _release_channels(session, period, release_id), CHANNEL_FIELDS
    yield _shipped(session, period, release_id), ("shipped_orders", "returned_orders")
    yield _playlists(session, period, release_id), ("playlist_adds", "playlist_weeks")
    if release_id is None:
        yield _subscribers(session, period), ("new_subscribers", "left_subscribers")
        yield _ads(session, period), ("ads_cents",)


def _visits(session, period, release_id):
    bucket = _bucket(session, ReleaseVisit.day, period, is_date=True)
    query = select(bucket, func.count()).where(_in(ReleaseVisit.day, period))
    if release_id is not None:
        query = query.where(ReleaseVisit.release_id == release_id)
    return query.group_by(bucket)


def _preorders(session, period, release_id):
    bucket = _bucket(session, Backing.paid_at, period)
    query = select(bucket, func.count()).where(
        Backing.paid_at >= period.starts_at,
        Backing.paid_at < period.ends_before,
        Backing.refunded_at.is_(None),
    )
    if release_id is not None:
        query = query.join(Campaign, Campaign.id == Backing.campaign_id).where(
            Campaign.release_id == release_id
        )
    return query.group_by(bucket)


def _sales(session, period):
    """Paid orders, their goods and each channel's share, in one pass over the orders."""
    bucket = _bucket(session, Order.paid_at, period)
    channels = (_channel_sum(NET_GOODS, channel) for channel in Channel)
    query = select(bucket, func.count(), func.sum(NET_GOODS), *channels)
    return query.where(*_paid_in(period)).group_by(bucket)


def _baskets(session, period, release_id):
    """Paid orders holding the release, and their whole goods."""
    bucket = _bucket(session, Order.paid_at, period)
    query = select(bucket, func.count(), func.sum(NET_GOODS)).where(*_paid_in(period))
    return query.where(_has_release(release_id)).group_by(bucket)


def _shipped(session, period, release_id):
    """Orders posted in the period, and how many of them came back (at any time since)."""
    bucket = _bucket(session, Order.shipped_at, period)
    returned = exists(select(Return.id).where(Return.order_id == Order.id))
    query = select(bucket, func.count(), func.sum(case((returned, 1), else_=0))).where(
        Order.shipped_at >= period.starts_at, Order.shipped_at < period.ends_before
    )
    if release_id is not None:
        query = query.where(_has_release(release_id))
    return query.group_by(bucket)


def _channel_sum(amount, channel: Channel):
    return func.sum(case((Order.channel == channel.value, amount), else_=0))


def _release_channels(session, period, release_id):
    """The release's own lines by channel (at their price: refunds are per order)."""
    bucket = _bucket(session, Order.paid_at, period)
    query = (
        select(bucket, *(_channel_sum(LINE_GOODS, channel) for channel in Channel))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Product.release_id == release_id)
    )
    return query.where(*_paid_in(period)).group_by(bucket)


def _playlists(session, period, release_id):
    bucket = _bucket(session, PlaylistAdds.week, period, is_date=True)
    query = select(bucket, func.sum(PlaylistAdds.adds), func.count(distinct(PlaylistAdds.week)))
    query = query.where(_in(PlaylistAdds.week, period))
    if release_id is not None:
        query = query.where(PlaylistAdds.release_id == release_id)
    return query.group_by(bucket)


def _subscribers(session, period):
    """Confirmations and departures (of confirmed addresses) per bucket, as one list of
    (bucket, joined, left) rows whatever the bucket each event falls in."""
    joined = _bucket(session, Subscriber.confirmed_at, period)
    left = _bucket(session, Subscriber.unsubscribed_at, period)
    joins = select(
        joined.label("b"), literal_column("1").label("j"), literal_column("0").label("l")
    )
    joins = joins.where(
        Subscriber.confirmed_at >= period.starts_at, Subscriber.confirmed_at < period.ends_before
    )
    leaves = select(left.label("b"), literal_column("0"), literal_column("1")).where(
        Subscriber.confirmed_at.is_not(None),
        Subscriber.unsubscribed_at >= period.starts_at,
        Subscriber.unsubscribed_at < period.ends_before,
    )
    events = joins.union_all(leaves).subquery()
    return select(events.c.b, func.sum(events.c.j), func.sum(events.c.l)).group_by(events.c.b)


def _ads(session, period):
    bucket = _bucket(session, BudgetSpend.spent_on, period, is_date=True)
    return (
        select(bucket, func.sum(BudgetSpend.amount_cents))
        .join(BudgetLine, BudgetLine.id == BudgetSpend.line_id)
        .where(BudgetLine.category == BudgetCategory.ADS.value, _in(BudgetSpend.spent_on, period))
        .group_by(bucket)
    )


def subscribers_before(session: Session, moment: datetime) -> int:
    """Confirmed addresses still subscribed at `moment`."""
    return session.scalar(
        select(func.count()).where(
            Subscriber.confirmed_at < moment,
            (Subscriber.unsubscribed_at.is_(None)) | (Subscriber.unsubscribed_at >= moment),
        )
    )


def _first_payments():
    """Each fan's first payment (of an order not fully refunded)."""
    return (
        select(Order.fan_key, func.min(Order.paid_at).label("first_paid"))
        .where(Order.paid_at.is_not(None), Order.status != OrderStatus.REFUNDED)
        .group_by(Order.fan_key)
        .subquery()
    )


def _returning(session: Session, fans_seen, moment) -> tuple[object, ColumnElement]:
    """What to select from, and 1 for a fan of `fans_seen` who paid before `moment`.

    PostgreSQL hashes every fan's first payment at once; SQLite, without hash joins,
    looks each fan up through the fan_key index instead."""
    if session.get_bind().dialect.name == "postgresql":
        first = _first_payments()
        joined = fans_seen.join(first, first.c.fan_key == fans_seen.c.fan_key)
        return joined, case((first.c.first_paid < moment, 1), else_=0)
    earlier = exists(
        select(Order.id).where(
            Order.fan_key == fans_seen.c.fan_key,
            Order.paid_at < moment,
            Order.status != OrderStatus.REFUNDED,
        )
    )
    return fans_seen, case((earlier, 1), else_=0)


def _bucket_start(session: Session, bucket: ColumnElement) -> ColumnElement:
    """A bucket's first instant, comparable with a stored time (SQLite keeps text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.timezone("UTC", cast(bucket, DateTime))
    return bucket


def fans(session: Session, period: Period, release_id: int | None) -> tuple[int, int, Buckets]:
    """Paying fans in the period and those of them who had paid before it; the same per
    bucket (a fan returns in a bucket when they had paid before it began). Each fan is
    looked up once per period and once per bucket, not once per order."""
    paying = (*_paid_in(period), Order.fan_key != "")
    if release_id is not None:
        paying = (*paying, _has_release(release_id))
    who = select(Order.fan_key).where(*paying).distinct().subquery()
    source, returned = _returning(session, who, period.starts_at)
    paying_count, returning_count = session.execute(
        select(func.count(), func.coalesce(func.sum(returned), 0)).select_from(source)
    ).one()
    bucket = _bucket(session, Order.paid_at, period).label("bucket")
    when = select(bucket, Order.fan_key).where(*paying).distinct().subquery()
    source, returned = _returning(session, when, _bucket_start(session, when.c.bucket))
    query = (
        select(when.c.bucket, func.count(), func.sum(returned))
        .select_from(source)
        .group_by(when.c.bucket)
    )
    per_bucket: Buckets = defaultdict(dict)
    _collect(session, query, ("paying_fans", "returning_fans"), per_bucket)
    return paying_count, returning_count, per_bucket


def restocks(session: Session, period: Period, release_id: int | None) -> list[tuple[date, int]]:
    """Each restock order received in the period: its bucket and how long it took (s).

    Restock orders are few (a label repressed a few dozen times a year), so their
    durations come back as rows for the median."""
    query = select(RestockOrder.ordered_at, RestockOrder.received_at).where(
        RestockOrder.received_at >= period.starts_at,
        RestockOrder.received_at < period.ends_before,
    )
    if release_id is not None:
        query = query.join(Product, Product.id == RestockOrder.product_id).where(
            Product.release_id == release_id
        )
    return [
        (period.bucket_of(received.date()), int((received - ordered).total_seconds()))
        for ordered, received in session.execute(query)
    ]
