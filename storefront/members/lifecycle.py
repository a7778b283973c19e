"""A membership's state from the facts of its subscription's events. Pure: no Flask, no
database.

Stripe may deliver events late, twice or out of order; the state is a fold of the facts
sorted by (Stripe's `created`, a fixed precedence per type, id), with duplicate ids
counted once, so it depends on the set of events only, never on their arrival.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum


class MembershipState(StrEnum):
    PENDING = "pending"  # checkout started, nothing paid yet
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal failed: benefits kept for the grace period
    CANCELED = "canceled"  # will not renew: benefits kept to the end of the paid period
    ENDED = "ended"


SUBSCRIPTION_CREATED = "customer.subscription.created"
SUBSCRIPTION_UPDATED = "customer.subscription.updated"
SUBSCRIPTION_DELETED = "customer.subscription.deleted"
INVOICE_PAID = "invoice.paid"
INVOICE_FAILED = "invoice.payment_failed"
CHECKOUT_COMPLETED = "checkout.session.completed"
CHECKOUT_EXPIRED = "checkout.session.expired"
SUBSCRIPTION_TYPES = (SUBSCRIPTION_CREATED, SUBSCRIPTION_UPDATED, SUBSCRIPTION_DELETED)

# Inside one second (Stripe's `created` has no finer grain): the subscription exists
# before its invoices, a failure comes before the payment that recovers it, a snapshot
# after the invoices it reflects, and the deletion last of all.
PRECEDENCE = {
    CHECKOUT_COMPLETED: 0,
    SUBSCRIPTION_CREATED: 1,
    INVOICE_FAILED: 2,
    INVOICE_PAID: 3,
    SUBSCRIPTION_UPDATED: 4,
    SUBSCRIPTION_DELETED: 5,
}
# Stripe subscription statuses.
FAILING = frozenset({"past_due", "unpaid"})
PAYING = frozenset({"active", "trialing"})
OVER = frozenset({"canceled", "incomplete_expired"})


@dataclass(frozen=True)
class Fact:
    """What one event says: its subscription's snapshot, or that an invoice was paid or not."""

    id: str
    type: str
    created: datetime
    status: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False

    def sort_key(self) -> tuple[datetime, int, str]:
        return (self.created, PRECEDENCE.get(self.type, len(PRECEDENCE)), self.id)

    def to_json(self) -> dict:
        end = self.current_period_end
        return {
            "status": self.status,
            "current_period_end": int(end.timestamp()) if end else None,
            "cancel_at_period_end": self.cancel_at_period_end,
        }

    @classmethod
    def from_json(cls, id: str, type: str, created: datetime, facts: dict) -> Fact:
        end = facts.get("current_period_end")
        return cls(
            id=id,
            type=type,
            created=created,
            status=facts.get("status"),
            current_period_end=from_timestamp(end) if end is not None else None,
            cancel_at_period_end=bool(facts.get("cancel_at_period_end")),
        )


@dataclass(frozen=True)
class Standing:
    """A membership's state and the dates its benefits depend on."""

    state: MembershipState = MembershipState.PENDING
    current_period_end: datetime | None = None
    past_due_since: datetime | None = None
    cancel_at_period_end: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True)
class _Fold:
    status: str | None = None
    period_end: datetime | None = None
    cancel_at_period_end: bool = False
    failing_since: datetime | None = None
    paid_at: datetime | None = None
    over_at: datetime | None = None


def standing(facts: Iterable[Fact]) -> Standing:
    """The membership's standing after all `facts`, whatever order they came in."""
    seen: dict[str, Fact] = {}
    for fact in sorted(facts, key=Fact.sort_key):
        seen.setdefault(fact.id, fact)
    fold = _Fold()
    for fact in seen.values():
        fold = _step(fold, fact)
    return _standing_of(fold)


def _step(fold: _Fold, fact: Fact) -> _Fold:
    if fact.type == INVOICE_FAILED:
        return replace(fold, failing_since=fold.failing_since or fact.created)
    if fact.type == INVOICE_PAID:
        return replace(fold, failing_since=None, paid_at=fold.paid_at or fact.created)
    if fact.type not in SUBSCRIPTION_TYPES:
        return fold  # a checkout session's completion only links the subscription
    fold = replace(
        fold,
        status=fact.status,
        period_end=fact.current_period_end or fold.period_end,
        cancel_at_period_end=fact.cancel_at_period_end,
    )
    if fact.type == SUBSCRIPTION_DELETED or fact.status in OVER:
        return replace(fold, over_at=fold.over_at or fact.created)
    if fact.status in FAILING:
        return replace(fold, failing_since=fold.failing_since or fact.created)
    if fact.status in PAYING:
        return replace(fold, failing_since=None, paid_at=fold.paid_at or fact.created)
    return fold


def _standing_of(fold: _Fold) -> Standing:
    base = Standing(
        current_period_end=fold.period_end,
        cancel_at_period_end=fold.cancel_at_period_end,
        started_at=fold.paid_at,
    )
    if fold.over_at is not None:
        # Deleted mid-period, the fan keeps what was paid for; at its end, it is over.
        if fold.status != "incomplete_expired" and _before(fold.over_at, fold.period_end):
            return replace(base, state=MembershipState.CANCELED)
        return replace(base, state=MembershipState.ENDED, ended_at=fold.over_at)
    if fold.failing_since is not None:
        return replace(base, state=MembershipState.PAST_DUE, past_due_since=fold.failing_since)
    if fold.paid_at is None:
        return base
    if fold.cancel_at_period_end:
        return replace(base, state=MembershipState.CANCELED)
    return replace(base, state=MembershipState.ACTIVE)


def _before(moment: datetime, end: datetime | None) -> bool:
    return end is not None and moment < end


def from_timestamp(seconds: int) -> datetime:
    """Stripe's Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
