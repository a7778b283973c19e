"""Finding a fan by email or name: accounts and guest buyers, one row per email key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storefront.fans.models import Fan
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order

LIMIT = 50


@dataclass
class FanRow:
    key: str
    email: str
    name: str
    account: bool = False
    orders: int = 0
    spent_cents: int = 0
    last_order_at: datetime | None = None


def spent_cents():
    """What paid orders brought in, net of refunds (an SQL expression, summed)."""
    return func.coalesce(
        func.sum(Order.total_cents - Order.refunded_cents).filter(Order.paid_at.is_not(None)), 0
    )


def find_fans(session: Session, query: str, *, limit: int = LIMIT) -> list[FanRow]:
    """Fans whose email or name contains `query` (any case), the latest buyers first;
    with an empty query, the latest buyers and accounts."""
    pattern = _contains(query)
    rows: dict[str, FanRow] = {}
    buyers = (
        select(
            Order.fan_key,
            func.max(Order.email),
            func.max(Order.ship_name),
            func.count(),
            spent_cents(),
            func.max(Order.created_at),
        )
        .group_by(Order.fan_key)
        .order_by(func.max(Order.created_at).desc())
        .limit(limit)
    )
    if pattern:
        buyers = buyers.where(
            or_(
                func.lower(Order.email).like(pattern, escape="\\"),
                func.lower(Order.ship_name).like(pattern, escape="\\"),
            )
        )
    for key, email, name, count, spent, last in session.execute(buyers):
        rows[key] = FanRow(key, email, name or "", False, count, spent, last)
    accounts = select(Fan).order_by(Fan.created_at.desc()).limit(limit)
    if pattern:
        accounts = accounts.where(
            or_(
                Fan.email.like(pattern, escape="\\"),
                func.lower(Fan.name).like(pattern, escape="\\"),
            )
        )
    for fan in session.scalars(accounts):
        row = rows.setdefault(fan.email_key, FanRow(fan.email_key, fan.email, fan.name))
        row.account, row.email, row.name = True, fan.email, fan.name or row.name
    ordered = sorted(rows.values(), key=_recent_first)
    return ordered[:limit]


def _contains(query: str) -> str | None:
    text = " ".join(query.split()).lower()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _recent_first(row: FanRow) -> tuple:
    return (row.last_order_at is None, -(row.last_order_at.timestamp() if row.last_order_at else 0))


CONSENTED_HEADER = ("email", "city", "topics", "consented_at", "source")


def consented_rows(subscribers: list[Subscriber]) -> list[tuple[str, str, str, str, str]]:
    """What a segment's subscribers gave with their consent, and nothing else."""
    return [
        (s.email, s.city, " ".join(s.topics or []), s.confirmed_at.isoformat(), s.source)
        for s in subscribers
        if s.receives_mail
    ]
