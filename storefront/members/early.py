"""Early access: members of the tiers the label chooses for a campaign may preorder
their tier's `early_access_hours` before it opens to everyone.

The choice is kept here (preorders never import members); the campaign only keeps
`early_opens_at`, the first moment anyone may preorder, so its windows and counts take
early preorders in. That moment follows the chosen tiers' hours when the campaign or its
tiers are saved; a tier's hours raised since never open a campaign earlier than that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.members.benefits import Benefits
from storefront.members.models import Tier, campaign_early_tier
from storefront.preorders.models import Campaign
from storefront.preorders.services import campaigns_by_product


def early_tiers(session: Session, campaign_id: int) -> list[Tier]:
    """The tiers whose members get in early, cheapest first."""
    return list(
        session.scalars(
            select(Tier)
            .join(campaign_early_tier, campaign_early_tier.c.tier_id == Tier.id)
            .where(campaign_early_tier.c.campaign_id == campaign_id)
            .order_by(Tier.position, Tier.id)
        )
    )


def tier_choices(session: Session) -> list[tuple[int, str]]:
    """The tiers a campaign may give early access to: those with early-access hours."""
    tiers = session.scalars(
        select(Tier).where(Tier.early_access_hours > 0).order_by(Tier.position, Tier.id)
    )
    return [(tier.id, f"{tier.name} ({tier.early_access_hours} h)") for tier in tiers]


def set_early_tiers(session: Session, campaign: Campaign, tier_ids: Iterable[int]) -> None:
    """Give early access to the members of `tier_ids` (flushed; the caller commits)."""
    session.execute(
        delete(campaign_early_tier).where(campaign_early_tier.c.campaign_id == campaign.id)
    )
    rows = [{"campaign_id": campaign.id, "tier_id": tier_id} for tier_id in set(tier_ids)]
    if rows:
        session.execute(insert(campaign_early_tier), rows)
    refresh_early_opening(session, campaign)


def refresh_early_opening(session: Session, campaign: Campaign) -> None:
    """Set when the first members may preorder, from the chosen tiers' hours and
    `opens_at` (call it after either changes)."""
    hours = max((tier.early_access_hours for tier in early_tiers(session, campaign.id)), default=0)
    campaign.early_opens_at = campaign.opens_at - timedelta(hours=hours) if hours else None
    session.flush()


def early_hours_by_product(
    session: Session, benefits: Benefits | None, product_ids: set[int]
) -> dict[int, int]:
    """The early-access hours `benefits` give on each product's campaign (none: absent)."""
    if benefits is None or not benefits.early_access_hours or not product_ids:
        return {}
    campaigns = campaigns_by_product(session, product_ids)
    chosen = set(
        session.scalars(
            select(campaign_early_tier.c.campaign_id).where(
                campaign_early_tier.c.tier_id == benefits.tier_id,
                campaign_early_tier.c.campaign_id.in_({c.id for c in campaigns.values()}),
            )
        )
    )
    return {
        product_id: benefits.early_access_hours
        for product_id, campaign in campaigns.items()
        if campaign.id in chosen
    }


@dataclass(frozen=True)
class EarlyAccessView:
    """What a release page says of early access to its campaign, for one visitor."""

    notice: str
    open_for_you: bool  # this member may preorder now, before everyone


def early_access_view(
    session: Session, campaign: Campaign | None, benefits: Benefits | None, *, now: datetime
) -> EarlyAccessView | None:
    """The notice while the campaign has not opened to everyone; None otherwise."""
    if campaign is None or campaign.outcome is not None or now >= campaign.opens_at:
        return None
    tiers = [tier for tier in early_tiers(session, campaign.id) if tier.early_access_hours]
    if not tiers:
        return None
    if benefits is not None and benefits.tier_id in {tier.id for tier in tiers}:
        opens = campaign.opens_for(benefits.early_access_hours)
        return _member_view(opens, benefits.tier_name, now)
    hours = [tier.early_access_hours for tier in tiers]
    names = ", ".join(tier.name for tier in tiers)
    when = _when(campaign.opens_at)
    if len(set(hours)) == 1:
        early = ngettext(
            "members of %(tiers)s get in %(num)d hour early",
            "members of %(tiers)s get in %(num)d hours early",
            hours[0],
            tiers=names,
        )
    else:
        early = ngettext(
            "members of %(tiers)s get in up to %(num)d hour early",
            "members of %(tiers)s get in up to %(num)d hours early",
            max(hours),
            tiers=names,
        )
    return EarlyAccessView(_("Opens on %(when)s; %(early)s.", when=when, early=early), False)


def _member_view(opens: datetime, tier_name: str, now: datetime) -> EarlyAccessView:
    if opens <= now:
        notice = _(
            "Early access (%(tier)s): open for you since %(when)s.",
            when=_when(opens),
            tier=tier_name,
        )
    else:
        notice = _(
            "Early access (%(tier)s): open for you from %(when)s.",
            when=_when(opens),
            tier=tier_name,
        )
    return EarlyAccessView(notice, opens <= now)


def _when(moment: datetime) -> str:
    return _("%(when)s (Paris time)", when=format_datetime(moment, "d MMMM y, HH:mm"))


@transactional
def save_early_tiers(session: Session, campaign: Campaign, tier_ids: Iterable[int]) -> None:
    """The campaign admin's choice of tiers, saved with the campaign's new opening."""
    set_early_tiers(session, campaign, tier_ids)
