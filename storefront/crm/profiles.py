"""One fan as the label sees them: orders and spending, membership and its history,
stamps, cards, newsletter consent and the label's private note.

A fan is an email key (`storefront.orders.fans.fan_key`): guests who never signed in
have a page too, and writing a note about one keeps it on an account row made for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.editions.models import CardRedemption, Copy
from storefront.fans import services as held
from storefront.fans.models import Fan
from storefront.members.models import Membership, SubscriptionEvent
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order
from storefront.quests.models import Passport, Quest, Stamp

NOTE_MAX = 2000


@dataclass(frozen=True)
class MembershipLine:
    membership: Membership
    # (Stripe event type, when Stripe says it happened), oldest first.
    history: list[tuple[str, datetime]]


@dataclass(frozen=True)
class StampLine:
    city: str
    venue: str
    claimed_at: datetime


@dataclass(frozen=True)
class CardLine:
    copy: Copy
    at: datetime


@dataclass(frozen=True)
class FanProfile:
    key: str
    email: str
    name: str
    account: Fan | None
    orders: list[Order]
    spent_cents: int
    memberships: list[MembershipLine]
    stamps: list[StampLine]
    cards: list[CardLine]
    consent: Subscriber | None

    @property
    def signed_in_ever(self) -> bool:
        return self.account is not None and self.account.last_signed_in_at is not None

    @property
    def note(self) -> str:
        return self.account.note if self.account else ""


def fan_profile(session: Session, key: str) -> FanProfile | None:
    """Everything the label holds about the fan with this email key; None if nothing."""
    account = session.scalar(select(Fan).where(Fan.email_key == key))
    orders = held.orders_of(session, key)
    consent = session.scalar(select(Subscriber).where(Subscriber.email_key == key))
    if account is None and not orders and consent is None:
        return None
    latest = orders[0] if orders else None
    return FanProfile(
        key=key,
        email=account.email if account else (latest.email if latest else consent.email),
        name=(account.name if account else "") or (latest.ship_name or "" if latest else ""),
        account=account,
        orders=orders,
        spent_cents=sum(o.total_cents - o.refunded_cents for o in orders if o.paid_at),
        memberships=_memberships(session, account) if account else [],
        stamps=_stamps(session, held.passports_of(session, key)),
        cards=_cards(session, held.redemptions_of(session, key)),
        consent=consent,
    )


def save_note(session: Session, key: str, note: str) -> None:
    """Keep the label's note on the fan's account row, made for a guest if need be."""
    profile = fan_profile(session, key)
    if profile is None:
        raise LookupError(key)
    account = profile.account or Fan(email_key=key, email=profile.email.lower())
    account.note = note.strip()[:NOTE_MAX]
    session.add(account)
    session.commit()


def _memberships(session: Session, fan: Fan) -> list[MembershipLine]:
    memberships = session.scalars(
        select(Membership)
        .where(Membership.fan_id == fan.id)
        .options(joinedload(Membership.tier))
        .order_by(Membership.id.desc())
    ).all()
    ids = [m.subscription_id for m in memberships if m.subscription_id]
    events = session.execute(
        select(
            SubscriptionEvent.subscription_id, SubscriptionEvent.type, SubscriptionEvent.created_at
        )
        .where(SubscriptionEvent.subscription_id.in_(ids))
        .order_by(SubscriptionEvent.created_at, SubscriptionEvent.id)
    ).all()
    return [
        MembershipLine(m, [(kind, at) for sub, kind, at in events if sub == m.subscription_id])
        for m in memberships
    ]


def _stamps(session: Session, passports: list[Passport]) -> list[StampLine]:
    rows = session.scalars(
        select(Stamp)
        .where(Stamp.passport_id.in_([p.id for p in passports]))
        .options(joinedload(Stamp.quest).joinedload(Quest.gig))
        .order_by(Stamp.claimed_at)
    )
    return [StampLine(s.quest.gig.city, s.quest.gig.venue, s.claimed_at) for s in rows]


def _cards(session: Session, redemptions: list[CardRedemption]) -> list[CardLine]:
    copies = {
        copy.id: copy
        for copy in session.scalars(
            select(Copy)
            .where(Copy.id.in_([r.copy_id for r in redemptions]))
            .options(joinedload(Copy.variant))
        )
    }
    return [CardLine(copies[r.copy_id], r.at) for r in redemptions if r.copy_id in copies]
