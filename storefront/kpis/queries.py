"""The aggregate queries the indicators are read from: one per source, by chart bucket
(`_bucketed`), so the dashboard costs a dozen queries whatever the number of orders.

A year of a busy label is some 100,000 orders, read a few times per page: each pass
reads covering indexes where it can (see `Order`'s), computes nothing from a row it
need not, and the returning fans come from one pass grouped by fan (`fans`).

Refunds (each indicator's help text says the same): a fully refunded order is no sale
and counts nowhere; a partly refunded one counts with its goods less what was given back
(overall figures; a release's own figures take its lines at their price)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

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
    """The number of the chart bucket `column` falls in (0: the period's first), for a
    value from the first bucket's start on.

    Plain arithmetic on the stored value (seconds or days since the first bucket, over
    its length): a year's dashboard buckets every order, and building each one's date
    (date_trunc, SQLite's date()) costs several times more."""
    first, step = period.first_bucket, period.step
    if session.get_bind().dialect.name == "postgresql":
        if is_date:
            return (column - first) // step
        since = func.date_part("epoch", column) - _epoch(first)
        return cast(func.floor(since / float(step * 86_400)), Integer)  # no NUMERIC
    # The stored text's day (SQLite's julianday() of the whole time would round it to
    # the millisecond, 23:59:59.9999 to the next day); its Julian day is a whole day.
    day = column if is_date else func.substr(column, 1, 10)
    julian_first = first.toordinal() + 1_721_424.5
    return cast((func.julianday(day) - julian_first) / step, Integer)


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp())


def _collect(
    session: Session, query, names: tuple[str, ...], into: Buckets, period: Period
) -> None:
    for number, *values in session.execute(query):
        row = into[period.nth_bucket(number)]
        for name, value in zip(names, values, strict=True):
            row[name] = row.get(name, 0) + int(value or 0)


def _bucketed(
    session: Session, query: Select, column, period: Period, *, is_date: bool = False
) -> Select | CompoundSelect:
    """`query` (aggregates only) over the period by `column`, as rows of (bucket
    number, *aggregates), one per bucket.

    PostgreSQL groups by the bucket's number (`_bucket`), and so does SQLite for a
    column no index starts with. Otherwise SQLite, which would compute the number from
    each row's text and sort every row by it, gets one plain aggregate per bucket over
    that bucket's range of `column`'s index, the parts joined by UNION ALL: no sort,
    nothing computed per row (each part has that range as its only bounds on `column`,
    so the index search is the bucket's, not the whole period's)."""
    if session.get_bind().dialect.name == "postgresql" or not _leads_index(column):
        bucket = _bucket(session, column, period, is_date=is_date)
        query = query.where(*_within(column, period.start, period.end, is_date))
        return query.with_only_columns(bucket, *query.selected_columns).group_by(bucket)
    parts = []
    for number, (first, _days) in enumerate(period.buckets()):
        last = min(first + timedelta(days=period.step - 1), period.end)
        part = query.with_only_columns(literal(number, Integer), *query.selected_columns)
        parts.append(part.where(*_within(column, max(first, period.start), last, is_date)))
    return union_all(*parts)


def _leads_index(column) -> bool:
    table, name = column.expression.table, column.expression.name
    return any(next(iter(index.columns)).name == name for index in table.indexes)


def _within(column, first: date, last: date, is_date: bool) -> tuple[ColumnElement, ...]:
    """`column` from day `first` to day `last` included (UTC days)."""
    after = last + timedelta(days=1)
    if is_date:
        return column >= first, column < after
    return (
        column >= datetime.combine(first, time.min, tzinfo=UTC),
        column < datetime.combine(after, time.min, tzinfo=UTC),
    )


# Orders not all given back (the period's sales are those paid in it and so).
NOT_REFUNDED = Order.status != OrderStatus.REFUNDED


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
        _collect(session, query, names, out, period)
    return out


def _additive_queries(session: Session, period: Period, release_id: int | None):
    yield _visits(session, period, release_id), ("visitors",)
    yield _preorders(session, period, release_id), ("paid_preorders",)
    if release_id is None:
        names = ("paid_orders", "goods_net_cents", "paying_fans", *CHANNEL_FIELDS)
        yield _sales(session, period), names
    else:
        names = ("paid_orders", "goods_net_cents", "paying_fans")
        yield _baskets(session, period, release_id), names
        yield _release_channels(session, period, release_id), CHANNEL_FIELDS
    yield _shipped(session, period, release_id), ("shipped_orders", "returned_orders")
    yield _playlists(session, period, release_id), ("playlist_adds", "playlist_weeks")
    if release_id is None:
        yield _subscribers(session, period), ("new_subscribers", "left_subscribers")
        yield _ads(session, period), ("ads_cents",)


def _visits(session, period, release_id):
    query = select(func.count()).select_from(ReleaseVisit)
    if release_id is not None:
        query = query.where(ReleaseVisit.release_id == release_id)
    return _bucketed(session, query, ReleaseVisit.day, period, is_date=True)


def _preorders(session, period, release_id):
    query = select(func.count()).select_from(Backing).where(Backing.refunded_at.is_(None))
    if release_id is not None:
        query = query.join(Campaign, Campaign.id == Backing.campaign_id).where(
            Campaign.release_id == release_id
        )
    return _bucketed(session, query, Backing.paid_at, period)


def _sales(session, period):
    """Paid orders, their goods and each channel's share, in one pass over the orders."""
    channels = (_channel_sum(NET_GOODS, channel) for channel in Channel)
    query = select(func.count(), func.sum(NET_GOODS), _paying_fans(session), *channels)
    return _bucketed(session, query.where(NOT_REFUNDED), Order.paid_at, period)


def _baskets(session, period, release_id):
    """Paid orders holding the release, their whole goods and the fans who paid them."""
    query = select(func.count(), func.sum(NET_GOODS), _paying_fans(session)).where(NOT_REFUNDED)
    query = query.where(_has_release(release_id))
    return _bucketed(session, query, Order.paid_at, period)


def _shipped(session, period, release_id):
    """Orders posted in the period, and how many of them came back (at any time since).

    `IN` rather than a correlated EXISTS: the returns are read once (PostgreSQL hashes
    them, SQLite indexes them), not looked up once per posted order."""
    returned = Order.id.in_(select(Return.order_id))
    query = select(func.count(), func.sum(case((returned, 1), else_=0))).select_from(Order)
    if release_id is not None:
        query = query.where(_has_release(release_id))
    return _bucketed(session, query, Order.shipped_at, period)


def _paying_fans(session: Session) -> ColumnElement:
    """Fans (by email) among the orders counted: distributors' sales have none.

    PostgreSQL sorts them to count them: by their bytes ("C"), several times cheaper
    than by the database's language rules, and the count is the same."""
    fan = Order.fan_key
    if session.get_bind().dialect.name == "postgresql":
        fan = fan.collate("C")
    return func.count(distinct(case((Order.fan_key != "", fan))))


def _channel_sum(amount, channel: Channel):
    return func.sum(case((Order.channel == channel.value, amount), else_=0))


def _release_channels(session, period, release_id):
    """The release's own lines by channel (at their price: refunds are per order)."""
    query = (
        select(*(_channel_sum(LINE_GOODS, channel) for channel in Channel))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Product.release_id == release_id)
    )
    return _bucketed(session, query.where(NOT_REFUNDED), Order.paid_at, period)


def _playlists(session, period, release_id):
    query = select(func.sum(PlaylistAdds.adds), func.count(distinct(PlaylistAdds.week)))
    if release_id is not None:
        query = query.where(PlaylistAdds.release_id == release_id)
    return _bucketed(session, query, PlaylistAdds.week, period, is_date=True)


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
    query = (
        select(func.sum(BudgetSpend.amount_cents))
        .select_from(BudgetSpend)
        .join(BudgetLine, BudgetLine.id == BudgetSpend.line_id)
        .where(BudgetLine.category == BudgetCategory.ADS.value)
    )
    return _bucketed(session, query, BudgetSpend.spent_on, period, is_date=True)


def subscribers_before(session: Session, moment: datetime) -> int:
    """Confirmed addresses still subscribed at `moment`."""
    return session.scalar(
        select(func.count()).where(
            Subscriber.confirmed_at < moment,
            (Subscriber.unsubscribed_at.is_(None)) | (Subscriber.unsubscribed_at >= moment),
        )
    )


def fans(
    session: Session, period: Period, release_id: int | None
) -> tuple[int, int, dict[date, int]]:
    """Paying fans in the period and those of them who had paid before it; per bucket,
    the fans who had not paid before it began (`new_fans`: the bucket's paying fans,
    counted with the sales, less these are its returning fans).

    A fan returns in every bucket after their first one in the period (they paid in
    that one), and in that first one when their first payment ever came before it. So
    each fan's first payment in the period and first payment ever tell everything."""
    firsts = _firsts(period, release_id)
    bucket = _bucket(session, firsts.c.first_in, period)
    first_ever = firsts.c.first_ever
    since_first_bucket = first_ever >= datetime.combine(period.first_bucket, time.min, tzinfo=UTC)
    new = case((since_first_bucket & (_bucket(session, first_ever, period) >= bucket), 1), else_=0)
    before = case((first_ever < period.starts_at, 1), else_=0)
    query = select(bucket, func.count(), func.sum(new), func.sum(before)).group_by(bucket)
    paying = returning = 0
    new_fans: dict[date, int] = {}
    for start, fans_there, new_there, returning_there in session.execute(query):
        paying, returning = paying + fans_there, returning + int(returning_there)
        new_fans[period.nth_bucket(start)] = int(new_there)
    return paying, returning, new_fans


def _firsts(period: Period, release_id: int | None) -> Subquery:
    """(first_in, first_ever) per fan who paid in the period (for an order holding the
    release): the label's in one pass over the fans' payments in time order (their
    index); a release's from its orders in the period, each fan's first payment ever
    looked up on that index."""
    paying = (Order.fan_key != "", Order.paid_at < period.ends_before, NOT_REFUNDED)
    if release_id is None:
        first_in = func.min(case((Order.paid_at >= period.starts_at, Order.paid_at)))
        return (
            select(first_in.label("first_in"), func.min(Order.paid_at).label("first_ever"))
            .where(*paying)
            .group_by(Order.fan_key)
            .having(first_in.is_not(None))
            .subquery()
        )
    theirs = (
        select(Order.fan_key, func.min(Order.paid_at).label("first_in"))
        .where(*paying, Order.paid_at >= period.starts_at, _has_release(release_id))
        .group_by(Order.fan_key)
        .subquery()
    )
    earlier = aliased(Order)
    first_ever = (
        select(func.min(earlier.paid_at))
        .where(
            earlier.fan_key == theirs.c.fan_key,
            earlier.paid_at < period.ends_before,
            earlier.status != OrderStatus.REFUNDED,
        )
        .scalar_subquery()
    )
    return select(theirs.c.first_in, first_ever.label("first_ever")).subquery()


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
