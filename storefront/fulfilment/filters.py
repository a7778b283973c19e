"""The orders list's filters: what the label typed in the query string, checked into one
`OrderFilter`, and the one SELECT it stands for. Every filter combines with the others."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.ids import parse_id
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import Channel, OrderStatus
from storefront.preorders.models import Backing, Campaign

MAX_SEARCH = 100


@dataclass(frozen=True)
class OrderFilter:
    """What the list shows: each field narrows it, None (or "") leaves it open.

    Dates are days of `created_at` in UTC, both ends included."""

    status: str = ""
    channel: str = ""
    release_id: int | None = None
    campaign_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    country: str = ""
    search: str = ""

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for the pager's links), empty ones left out."""
        return {
            field.name: str(value)
            for field in fields(self)
            if (value := getattr(self, field.name)) not in (None, "")
        }


@dataclass(frozen=True)
class FilterChoices:
    releases: list[tuple[int, str]]
    campaigns: list[tuple[int, str]]


def parse_filter(session: Session, args: Mapping[str, str]) -> tuple[OrderFilter, list[str]]:
    """The filter `args` ask for, and a notice for each value that could not be used
    (that part of the filter is then left open: the list still shows)."""
    notices: list[str] = []
    chosen = OrderFilter(
        status=_choice(args, "status", _("status"), set(OrderStatus), notices),
        channel=_choice(args, "channel", _("channel"), set(Channel), notices),
        release_id=_known_id(session, args, "release_id", _("release"), Release, notices),
        campaign_id=_known_id(session, args, "campaign_id", _("campaign"), Campaign, notices),
        date_from=_day(args, "date_from", notices),
        date_to=_day(args, "date_to", notices),
        country=_country(args, notices),
        search=(args.get("search") or "").strip()[:MAX_SEARCH],
    )
    if chosen.date_from and chosen.date_to and chosen.date_from > chosen.date_to:
        notices.append(_("The “from” date is after the “to” date: the dates are left out."))
        chosen = replace(chosen, date_from=None, date_to=None)
    return chosen, notices


def _choice(args: Mapping[str, str], name: str, label: str, allowed: set, notices) -> str:
    value = (args.get(name) or "").strip()
    if value and value not in allowed:
        notices.append(
            _("There is no %(name)s “%(value)s”: it is left out.", name=label, value=value)
        )
        return ""
    return value


def _known_id(
    session: Session, args: Mapping[str, str], name: str, label: str, model, notices
) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        row_id = parse_id(value)
    except ValueError:
        row_id = None
    if row_id is None or session.get(model, row_id) is None:
        notices.append(
            _("There is no %(name)s “%(value)s”: it is left out.", name=label, value=value)
        )
        return None
    return row_id


def _day(args: Mapping[str, str], name: str, notices: list[str]) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notices.append(
            _("“%(value)s” is not a date (write it as YYYY-MM-DD): it is left out.", value=value)
        )
        return None


def _country(args: Mapping[str, str], notices: list[str]) -> str:
    value = (args.get("country") or "").strip().upper()
    if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
        notices.append(
            _("A country is two letters, like FR: “%(value)s” is left out.", value=value)
        )
        return ""
    return value


def orders_query(chosen: OrderFilter) -> Select:
    """The orders `chosen` lets through, newest first."""
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if chosen.status:
        query = query.where(Order.status == chosen.status)
    if chosen.channel:
        query = query.where(Order.channel == chosen.channel)
    if chosen.release_id:
        query = query.where(_has_line_of_release(chosen.release_id))
    if chosen.campaign_id:
        backed = exists().where(
            Backing.order_id == Order.id, Backing.campaign_id == chosen.campaign_id
        )
        query = query.where(backed)
    if chosen.date_from:
        query = query.where(Order.created_at >= _start_of(chosen.date_from))
    if chosen.date_to:
        query = query.where(Order.created_at < _start_of(chosen.date_to + timedelta(days=1)))
    if chosen.country:
        query = query.where(Order.ship_country == chosen.country)
    if chosen.search:
        query = query.where(_matches(chosen.search))
    return query


def _has_line_of_release(release_id: int):
    return (
        exists()
        .where(OrderLine.order_id == Order.id, OrderLine.product_id == Product.id)
        .where(Product.release_id == release_id)
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _matches(text: str):
    """Reference, email or shipping name containing `text`, whatever the case (the
    LIKE wildcards typed are taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        *(
            column.ilike(pattern, escape="\\")
            for column in (Order.reference, Order.email, Order.ship_name)
        )
    )


def filter_choices(session: Session) -> FilterChoices:
    """The releases and campaigns the filter offers, by name."""
    releases = session.execute(select(Release.id, Release.title).order_by(Release.title)).all()
    campaigns = session.execute(
        select(Campaign.id, Release.title, Campaign.ships_on)
        .join(Release, Release.id == Campaign.release_id)
        .order_by(Campaign.opens_at.desc())
    ).all()
    return FilterChoices(
        releases=[(row_id, title) for row_id, title in releases],
        campaigns=[
            (row_id, _("%(title)s (ships %(date)s)", title=title, date=ships_on.isoformat()))
            for row_id, title, ships_on in campaigns
        ],
    )
