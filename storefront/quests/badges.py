"""Badges: rewards the label sets for stamps from N different cities.

Granted by the claim that crosses the threshold, inside its transaction, while the
fan's other claims wait (`claims`); the unique grant per badge and passport backs that.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from storefront.discounts.services import issue_code
from storefront.quests.models import Badge, BadgeGrant, BadgeReward, Gig, Passport, Quest, Stamp


def cities_of(session: Session, passport: Passport) -> int:
    """How many different cities the passport has a stamp from."""
    city = func.lower(Gig.city) + "/" + Gig.country
    return (
        session.scalar(
            select(func.count(distinct(city)))
            .select_from(Stamp)
            .join(Quest, Quest.id == Stamp.quest_id)
            .join(Gig, Gig.id == Quest.gig_id)
            .where(Stamp.passport_id == passport.id)
        )
        or 0
    )


def grant_badges(
    session: Session, passport: Passport, *, now: datetime, cities: int | None = None
) -> list[BadgeGrant]:
    """Grant every badge the passport's cities reach (`cities` when the caller knows
    them: a passport made by this claim has one) and it does not hold yet."""
    reached = cities_of(session, passport) if cities is None else cities
    held = select(BadgeGrant.badge_id).where(BadgeGrant.passport_id == passport.id)
    due = session.scalars(
        select(Badge).where(Badge.cities <= reached, Badge.id.not_in(held)).order_by(Badge.cities)
    ).all()
    grants = [_grant(session, badge, passport, now) for badge in due]
    session.flush()
    return grants


def _grant(session: Session, badge: Badge, passport: Passport, now: datetime) -> BadgeGrant:
    code = None
    if badge.reward == BadgeReward.DISCOUNT:
        code = issue_code(session, percent_off=badge.discount_percent or 0, source="badge", now=now)
    grant = BadgeGrant(
        badge=badge, passport=passport, granted_at=now, discount_code=code and code.code
    )
    session.add(grant)
    return grant
