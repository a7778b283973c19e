"""How tiers and memberships read on every screen: the benefits as sentences and a
membership's state in words, each decided here once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.members.lifecycle import MembershipState
from storefront.members.models import Membership, Tier


def benefit_sentences(tier: Tier) -> list[str]:
    """What a member of `tier` gets, one sentence per benefit."""
    sentences = []
    if tier.discount_percent:
        sentences.append(
            str(_l("%(percent)d%% off records and merch", percent=tier.discount_percent))
        )
    if tier.early_access_hours:
        sentences.append(
            ngettext(
                "Preorders open to you %(num)d hour before everyone else",
                "Preorders open to you %(num)d hours before everyone else",
                tier.early_access_hours,
            )
        )
    if tier.free_digital:
        sentences.append(str(_l("Every new digital release, free")))
    if tier.posts:
        sentences.append(str(_l("The members-only studio diaries")))
    if tier.liner_notes:
        sentences.append(str(_l("Your name in the liner notes")))
    return sentences or [str(_l("Your support keeps the label going"))]


@dataclass(frozen=True)
class TierView:
    tier: Tier
    benefits: list[str]
    sold_out: bool
    seats_left: int | None


def tier_view(tier: Tier) -> TierView:
    left = None if tier.member_cap is None else max(tier.member_cap - tier.members, 0)
    return TierView(tier, benefit_sentences(tier), tier.sold_out, left)


def tier_views(session: Session, *, active_only: bool) -> list[TierView]:
    """The tiers in the label's order (only those fans may join, if `active_only`)."""
    query = select(Tier).order_by(Tier.position, Tier.monthly_cents, Tier.id)
    if active_only:
        query = query.where(Tier.active.is_(True))
    return [tier_view(tier) for tier in session.scalars(query)]


@dataclass(frozen=True)
class StandingView:
    """A membership's state in words and the date that matters to the fan."""

    words: str
    date_label: str | None = None
    date: datetime | None = None
    keeps_benefits: bool = False


def standing_view(membership: Membership, *, now: datetime, grace: timedelta) -> StandingView:
    state, end = membership.state, membership.current_period_end
    keeps = membership.keeps_benefits(now, grace)
    if state == MembershipState.PENDING:
        return StandingView(str(_l("Waiting for the first payment")))
    if state == MembershipState.ACTIVE:
        label = _l("Ends") if membership.cancel_at_period_end else _l("Next renewal")
        return StandingView(str(_l("Active")), str(label), end, keeps)
    if state == MembershipState.PAST_DUE:
        until = membership.past_due_since + grace if membership.past_due_since else None
        words = _l("The last payment failed: update your card to keep your benefits")
        return StandingView(str(words), str(_l("Benefits kept until")), until, keeps)
    if state == MembershipState.CANCELED:
        return StandingView(str(_l("Canceled")), str(_l("Benefits until")), end, keeps)
    return StandingView(str(_l("Ended")), str(_l("Ended")), membership.ended_at)
