"""Who a mailing goes to: the one place a segment is turned into subscribers, for the
count, the preview, the send and the CRM's export alike.

Only confirmed, not unsubscribed subscribers are ever selected. People are matched
across domains by `fan_key` (orders, accounts, backings, passports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Product
from storefront.fans.models import Fan
from storefront.members.models import Membership
from storefront.newsletter.models import Subscriber
from storefront.orders.fans import fan_key
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import OrderStatus
from storefront.preorders.models import Backing
from storefront.quests.models import Gig, Passport, Quest, Stamp

PAID = (OrderStatus.PAID, OrderStatus.SHIPPED)


class SegmentKind(StrEnum):
    ALL = "all"
    TOPIC = "topic"  # value: a Topic
    CITY = "city"  # value: the city subscribers gave
    TIER = "tier"  # value: a tier id; members who keep its benefits
    RELEASE = "release"  # value: a release id; buyers (paid orders with one of its lines)
    CAMPAIGN = "campaign"  # value: a campaign id; backers not refunded
    QUEST_CITY = "quest_city"  # value: a city; saved passports with a stamp from a gig there


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind = SegmentKind.ALL
    value: str = ""

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "value": self.value}

    @classmethod
    def from_json(cls, data: dict | None) -> Segment:
        data = data or {}
        return cls(SegmentKind(data.get("kind", "all")), str(data.get("value", "")))


def select_subscribers(
    session: Session, segment: Segment, now: datetime, *, grace: timedelta | None = None
) -> list[Subscriber]:
    """The subscribers `segment` names at `now`, oldest first. `grace` is how long a
    failed renewal keeps a member's benefits (MEMBERSHIP_GRACE_DAYS unless given)."""
    receiving = session.scalars(
        select(Subscriber)
        .where(Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None))
        .order_by(Subscriber.id)
    ).all()
    if segment.kind is SegmentKind.ALL:
        return list(receiving)
    if segment.kind is SegmentKind.TOPIC:
        return [s for s in receiving if segment.value in (s.topics or [])]
    if segment.kind is SegmentKind.CITY:
        return [s for s in receiving if _same_city(s.city, segment.value)]
    if grace is None:
        grace = timedelta(days=current_app.config["MEMBERSHIP_GRACE_DAYS"])
    keys = _keys(session, segment, now, grace)
    return [s for s in receiving if s.email_key in keys]


def _same_city(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def _keys(session: Session, segment: Segment, now: datetime, grace: timedelta) -> set[str]:
    """The fan keys of the people a cross-domain segment names."""
    if segment.kind is SegmentKind.QUEST_CITY:
        return _quest_city_keys(session, segment.value)
    target = _id(segment.value)
    if target is None:
        return set()
    if segment.kind is SegmentKind.TIER:
        return _member_keys(session, target, now, grace)
    if segment.kind is SegmentKind.RELEASE:
        query = (
            select(Order.fan_key)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Product.release_id == target, Order.status.in_(PAID))
        )
        return set(session.scalars(query))
    query = (
        select(Order.fan_key)
        .join(Backing, Backing.order_id == Order.id)
        .where(Backing.campaign_id == target, Backing.refunded_at.is_(None))
    )
    return set(session.scalars(query))


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _member_keys(session: Session, tier_id: int, now: datetime, grace: timedelta) -> set[str]:
    rows = session.execute(
        select(Membership, Fan.email_key)
        .join(Fan, Fan.id == Membership.fan_id)
        .where(Membership.tier_id == tier_id)
    ).all()
    return {key for membership, key in rows if membership.keeps_benefits(now, grace)}


def _quest_city_keys(session: Session, city: str) -> set[str]:
    rows = session.execute(
        select(Passport.email, Gig.city)
        .join(Stamp, Stamp.passport_id == Passport.id)
        .join(Quest, Quest.id == Stamp.quest_id)
        .join(Gig, Gig.id == Quest.gig_id)
        .where(Passport.email.is_not(None))
    ).all()
    return {fan_key(email) for email, gig_city in rows if _same_city(gig_city, city)}
