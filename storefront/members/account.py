"""What memberships add to a fan's account: the /account panel and their part of the
privacy export and erasure (registered in `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.fans.models import Fan
from storefront.fans.plugins import AccountPanel
from storefront.jsonout import json_time
from storefront.members.billing import TestBilling
from storefront.members.display import StandingView, standing_view
from storefront.members.models import Membership, MembershipState
from storefront.members.services import holding

PANEL_TEMPLATE = "account/_membership.html"


class Step(StrEnum):
    """What the panel offers the fan next."""

    JOIN = "join"  # no membership: the tiers
    MANAGE = "manage"  # running or canceled: the billing portal (or the TEST page)
    FINISH = "finish"  # a TEST sign-up left unpaid: back to its page
    WAIT = "wait"  # a Stripe checkout left unpaid: it lapses on its own


@dataclass(frozen=True)
class MembershipPanel:
    """The fan's membership that is not over, or None (the panel offers to join)."""

    membership: Membership | None
    standing: StandingView | None

    @property
    def step(self) -> Step:
        membership = self.membership
        if membership is None:
            return Step.JOIN
        if membership.state != MembershipState.PENDING:
            return Step.MANAGE
        return Step.FINISH if membership.provider == TestBilling.name else Step.WAIT

    @property
    def manage_label(self) -> str:
        """Cancelling is offered until it is done."""
        canceled = self.membership is not None and (
            self.membership.cancel_at_period_end
            or self.membership.state == MembershipState.CANCELED
        )
        return str(_l("Manage") if canceled else _l("Manage or cancel"))


def membership_of(
    session: Session, fan: Fan | None, *, now: datetime, grace: timedelta
) -> MembershipPanel:
    """The fan's current membership and its standing in words (the members page and the
    /account panel show the same)."""
    membership = holding(session, fan.id, now=now) if fan else None
    if membership is None:
        return MembershipPanel(None, None)
    return MembershipPanel(membership, standing_view(membership, now=now, grace=grace))


def membership_panel(grace: timedelta) -> AccountPanel:
    return AccountPanel(
        template=PANEL_TEMPLATE,
        build=lambda session, fan, now: membership_of(session, fan, now=now, grace=grace),
    )


class MembershipsData:
    """Memberships in the export; the erasure blanks the liner-notes name and keeps the
    memberships themselves (they are the label's accounts of what was paid)."""

    name = "memberships"

    def export(self, session: Session, fan: Fan) -> list[dict]:
        return [_exported(m) for m in _memberships(session, fan)]

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        for membership in _memberships(session, fan):
            membership.liner_name = ""


def _memberships(session: Session, fan: Fan) -> list[Membership]:
    query = select(Membership).where(Membership.fan_id == fan.id).order_by(Membership.id)
    return list(session.scalars(query))


def _exported(membership: Membership) -> dict:
    return {
        "tier": membership.tier.name,
        "interval": membership.interval,
        "state": membership.state,
        "liner_name": membership.liner_name,
        "created_at": json_time(membership.created_at),
        "started_at": json_time(membership.started_at),
        "current_period_end": json_time(membership.current_period_end),
        "ended_at": json_time(membership.ended_at),
    }
