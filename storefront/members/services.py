"""Joining a tier, the seats it holds, and a membership's state from its stored events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storefront.database import add_once, lock_row, serialize_on
from storefront.errors import SoldOut, StorefrontError
from storefront.fans.models import Fan
from storefront.members.lifecycle import (
    CHECKOUT_COMPLETED,
    CHECKOUT_EXPIRED,
    Fact,
    MembershipState,
    standing,
)
from storefront.members.models import Interval, Membership, SubscriptionEvent, Tier
from storefront.members.stripe_events import BillingEvent, billing_event


class JoinRefused(StorefrontError):
    code = "join_refused"
    status = 409


class AlreadyMember(JoinRefused):
    code = "already_member"

    def __init__(self, membership: Membership) -> None:
        self.membership = membership
        if membership.state == MembershipState.PENDING:
            message = _l("Your membership is waiting for its payment: finish it first.")
        else:
            message = _l("You are already a member: manage your membership instead.")
        super().__init__(str(message))


def holding(session: Session, fan_id: int, *, now: datetime) -> Membership | None:
    """The fan's membership that is not over: waiting for payment, running, or canceled
    with paid time left. A fan holds one at a time."""
    candidates = session.scalars(
        select(Membership)
        .where(Membership.fan_id == fan_id, Membership.state != MembershipState.ENDED)
        .order_by(Membership.id.desc())
    )
    return next((m for m in candidates if not _ran_out(m, now)), None)


def _ran_out(membership: Membership, now: datetime) -> bool:
    end = membership.current_period_end
    return membership.state == MembershipState.CANCELED and (end is None or end <= now)


def join_tier(
    session: Session,
    *,
    tier: Tier,
    fan: Fan,
    interval: Interval,
    liner_name: str,
    provider: str,
    now: datetime,
) -> Membership:
    """Take a seat on `tier` for `fan` and open a pending membership (committed); the
    caller then sends the fan to the billing provider."""
    if not tier.active or tier.price_cents(interval) is None:
        raise JoinRefused(str(_l("This membership cannot be joined that way.")))
    # A member asking again is told so, even when their own seat fills the tier.
    if (current := holding(session, fan.id, now=now)) is not None:
        raise AlreadyMember(current)
    # The seat first, in one conditional UPDATE: never above the cap, however many join.
    taken = session.execute(
        update(Tier)
        .where(
            Tier.id == tier.id,
            Tier.active.is_(True),
            or_(Tier.member_cap.is_(None), Tier.members < Tier.member_cap),
        )
        .values(members=Tier.members + 1)
    ).rowcount
    if not taken:
        session.rollback()
        raise SoldOut(tier.name)
    # One fan joining twice at once (a double click): the second sees the first.
    serialize_on(session, f"membership-fan-{fan.id}")
    if (current := holding(session, fan.id, now=now)) is not None:
        session.rollback()
        raise AlreadyMember(current)
    membership = Membership(
        fan_id=fan.id,
        tier_id=tier.id,
        interval=interval,
        provider=provider,
        holds_seat=True,
        liner_name=liner_name if tier.liner_notes else "",
        created_at=now,
    )
    session.add(membership)
    session.commit()
    return membership


def give_seat_back(session: Session, membership: Membership) -> bool:
    """The membership's seat returns to its tier, once however often this is called."""
    released = session.execute(
        update(Membership)
        .where(Membership.id == membership.id, Membership.holds_seat.is_(True))
        .values(holds_seat=False)
    ).rowcount
    if released:
        session.execute(
            update(Tier).where(Tier.id == membership.tier_id).values(members=Tier.members - 1)
        )
    return bool(released)


def end_membership(session: Session, membership: Membership, *, now: datetime) -> bool:
    """End it (an abandoned checkout, a period run out) and give its seat back; False
    when it had ended already. The caller commits."""
    if membership.state == MembershipState.ENDED:
        return False
    membership.state = MembershipState.ENDED
    membership.ended_at = now
    give_seat_back(session, membership)
    return True


def record_billing_event(session: Session, event: BillingEvent, *, now: datetime) -> str:
    """Store `event` by id, then bring its membership up to date (one transaction);
    a second delivery of the same id changes nothing. Returns the outcome."""
    fact = event.fact
    record = SubscriptionEvent(
        id=fact.id,
        type=fact.type,
        subscription_id=event.subscription_id,
        created_at=fact.created,
        received_at=now,
        facts=fact.to_json(),
    )
    if not add_once(session, record):
        return "duplicate"
    record.outcome = _apply(session, event, now)
    session.commit()
    return record.outcome


def _apply(session: Session, event: BillingEvent, now: datetime) -> str:
    membership = _membership_for(session, event)
    if membership is None:
        return "stored"  # folded in once its subscription is linked to a membership
    # Events of one subscription arriving at once: each recomputes after the other.
    lock_row(session, Membership, membership.id)
    session.refresh(membership)
    if event.fact.type == CHECKOUT_EXPIRED:
        return _checkout_expired(session, membership, now)
    if event.subscription_id and membership.subscription_id not in (None, event.subscription_id):
        return "other_subscription"
    membership.subscription_id = membership.subscription_id or event.subscription_id
    membership.customer_id = membership.customer_id or event.customer_id
    return recompute(session, membership, now=now)


def _checkout_expired(session: Session, membership: Membership, now: datetime) -> str:
    """An abandoned checkout gives its seat back (a completed one has a subscription)."""
    if membership.state != MembershipState.PENDING or membership.subscription_id:
        return "unchanged"
    end_membership(session, membership, now=now)
    return "checkout_expired"


def _membership_for(session: Session, event: BillingEvent) -> Membership | None:
    if event.subscription_id:
        found = session.scalar(
            select(Membership).where(Membership.subscription_id == event.subscription_id)
        )
        if found is not None:
            return found
    if event.membership_id is None:
        return None
    return session.get(Membership, event.membership_id)


def stored_facts(session: Session, subscription_id: str) -> list[Fact]:
    events = session.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.subscription_id == subscription_id)
    )
    return [Fact.from_json(e.id, e.type, e.created_at, e.facts or {}) for e in events]


def recompute(
    session: Session, membership: Membership, *, now: datetime, extra: Iterable[Fact] = ()
) -> str:
    """Set the membership's state from every stored fact of its subscription (and
    `extra`); an ended membership stays ended and its seat, given back, stays free."""
    if membership.state == MembershipState.ENDED:
        return "already_ended"
    if not membership.subscription_id:
        return "unchanged"
    result = standing([*stored_facts(session, membership.subscription_id), *extra])
    membership.current_period_end = result.current_period_end
    membership.past_due_since = result.past_due_since
    membership.cancel_at_period_end = result.cancel_at_period_end
    membership.started_at = membership.started_at or result.started_at
    if result.state == MembershipState.ENDED:
        end_membership(session, membership, now=result.ended_at or now)
    else:
        membership.state = result.state
    return str(membership.state)


def expire_memberships(
    session: Session, *, now: datetime, checkout_lifetime: timedelta, test_provider: str
) -> dict[str, int]:
    """End canceled memberships whose paid period is over, and test checkouts left
    unpaid past `checkout_lifetime` (Stripe tells its own: checkout.session.expired).
    Past-due memberships are left to Stripe's retries, which end them (deleted)."""
    over = session.scalars(
        select(Membership).where(
            Membership.state == MembershipState.CANCELED, Membership.current_period_end <= now
        )
    ).all()
    abandoned = session.scalars(
        select(Membership).where(
            Membership.state == MembershipState.PENDING,
            Membership.provider == test_provider,
            Membership.created_at <= now - checkout_lifetime,
        )
    ).all()
    counts = {"ended": 0, "abandoned": 0}
    for name, memberships in (("ended", over), ("abandoned", abandoned)):
        for membership in memberships:
            lock_row(session, Membership, membership.id)
            session.refresh(membership)
            counts[name] += _end_if_still(session, membership, now)
    session.commit()
    return counts


def _end_if_still(session: Session, membership: Membership, now: datetime) -> bool:
    if membership.state == MembershipState.CANCELED:
        return end_membership(session, membership, now=membership.current_period_end or now)
    if membership.state == MembershipState.PENDING:
        return end_membership(session, membership, now=now)
    return False


def reconcile_memberships(
    session: Session, *, provider, now: datetime, checkout_lifetime: timedelta
) -> dict[str, int]:
    """Ask the provider about every running subscription, and about sign-ups whose
    checkout should be over by now, and apply through the same fold as webhooks what the
    stored events do not say yet (a missed webhook)."""
    counts = {"applied": 0, "unchanged": 0, "errors": 0}
    for membership in _running(session, provider.name):
        _count(counts, _reconcile_subscription, session, provider, membership, now)
    for membership in _checkouts_over(session, provider.name, now - checkout_lifetime):
        _count(counts, _reconcile_checkout, session, provider, membership, now)
    return counts


def _count(counts: dict[str, int], reconcile, *args) -> None:
    try:
        counts["applied" if reconcile(*args) else "unchanged"] += 1
    except StorefrontError:
        counts["errors"] += 1


def _running(session: Session, provider_name: str) -> list[Membership]:
    return session.scalars(
        select(Membership).where(
            Membership.provider == provider_name,
            Membership.state != MembershipState.ENDED,
            Membership.subscription_id.is_not(None),
        )
    ).all()


def _checkouts_over(session: Session, provider_name: str, before: datetime) -> list[Membership]:
    """Sign-ups sent to a checkout that has completed or expired at the provider by now,
    though no webhook told us which."""
    return session.scalars(
        select(Membership).where(
            Membership.provider == provider_name,
            Membership.state == MembershipState.PENDING,
            Membership.subscription_id.is_(None),
            Membership.checkout_id.is_not(None),
            Membership.created_at <= before,
        )
    ).all()


def _reconcile_subscription(session, provider, membership: Membership, now) -> bool:
    seen = provider.lookup(membership, now=now)
    known = stored_facts(session, membership.subscription_id or "")
    if seen is None or standing([*known, seen]) == standing(known):
        return False
    event = BillingEvent(seen, subscription_id=membership.subscription_id)
    record_billing_event(session, event, now=now)
    return True


def _reconcile_checkout(session, provider, membership: Membership, now) -> bool:
    """A completed checkout names its subscription (reconciled on the next run); an
    expired one gives its seat back."""
    found = provider.lookup_checkout(membership)
    kind = {"complete": CHECKOUT_COMPLETED, "expired": CHECKOUT_EXPIRED}.get(
        (found or {}).get("status")
    )
    if kind is None:
        return False
    payload = {
        "id": f"reconcile_{found['id']}",
        "type": kind,
        "created": int(now.timestamp()),
        "data": {"object": found},
    }
    record_billing_event(session, billing_event(payload), now=now)
    return True
