"""What a fan's membership gives them right now: one answer every screen reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.members.models import Membership, MembershipState, Tier


@dataclass(frozen=True)
class Benefits:
    tier_id: int
    tier_name: str
    discount_percent: int
    early_access_hours: int
    free_digital: bool
    posts: bool
    liner_notes: bool

    @classmethod
    def of(cls, tier: Tier) -> Benefits:
        return cls(
            tier.id,
            tier.name,
            tier.discount_percent,
            tier.early_access_hours,
            tier.free_digital,
            tier.posts,
            tier.liner_notes,
        )


def current_membership(
    session: Session, fan_id: int, *, now: datetime, grace: timedelta
) -> Membership | None:
    """The fan's membership that still gives benefits (the newest if several do)."""
    candidates = session.scalars(
        select(Membership)
        .where(
            Membership.fan_id == fan_id,
            Membership.state.in_(
                [MembershipState.ACTIVE, MembershipState.PAST_DUE, MembershipState.CANCELED]
            ),
        )
        .options(joinedload(Membership.tier))
        .order_by(Membership.id.desc())
    )
    return next((m for m in candidates if m.keeps_benefits(now, grace)), None)


def benefits_for(
    session: Session, fan_id: int | None, *, now: datetime, grace: timedelta
) -> Benefits | None:
    """The benefits `fan_id` enjoys at `now`; None for guests and non-members."""
    if fan_id is None:
        return None
    membership = current_membership(session, fan_id, now=now, grace=grace)
    return Benefits.of(membership.tier) if membership else None
