"""Members for the benefit tests: a tier and an active membership made directly (the
lifecycle through Stripe is tested in its own files)."""

from __future__ import annotations

from datetime import timedelta

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.models import Membership, Tier
from tests.support.accounts import make_fan


def make_tier(name: str = "Gold", **benefits) -> Tier:
    tier = Tier(slug=name.lower(), name=name, monthly_cents=500, **benefits)
    db.session.add(tier)
    db.session.commit()
    return tier


def make_member(
    tier: Tier, email: str = "ana@example.org", *, started_days_ago: int = 30, **fields
):
    """A fan with an active membership of `tier`; (fan, membership)."""
    fan = make_fan(email)
    started = utcnow() - timedelta(days=started_days_ago)
    membership = Membership(
        fan_id=fan.id,
        tier_id=tier.id,
        state="active",
        provider="test",
        started_at=started,
        **fields,
    )
    db.session.add(membership)
    db.session.commit()
    return fan, membership


def end_membership(membership: Membership) -> None:
    membership.state = "ended"
    membership.ended_at = utcnow()
    db.session.commit()
