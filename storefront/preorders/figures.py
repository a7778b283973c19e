"""The live figures the label reads on a campaign (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.preorders.models import (
    Backing,
    Bonus,
    BonusAward,
    Campaign,
    CampaignState,
    RewardKind,
)
from storefront.preorders.progress import GoalView, pressing_met, suggested_run
from storefront.preorders.services import pressing_thresholds, progress_of, reserved_units


def bonuses_given(session: Session, campaign: Campaign) -> dict[int, int]:
    """How many numbers of each of the campaign's bonuses went out, by bonus id."""
    rows = session.execute(
        select(BonusAward.bonus_id, func.count(BonusAward.id))
        .join(Bonus, Bonus.id == BonusAward.bonus_id)
        .where(Bonus.campaign_id == campaign.id)
        .group_by(BonusAward.bonus_id)
    ).all()
    return dict(rows)


def refund_counts(session: Session, campaign: Campaign) -> tuple[int, int]:
    """(backings refunded, backings not refunded) of a campaign."""
    query = select(func.count(Backing.id), func.count(Backing.refunded_at))
    total, refunded = session.execute(query.where(Backing.campaign_id == campaign.id)).one()
    return refunded, total - refunded


@dataclass(frozen=True)
class CampaignFigures:
    """What the admin reads on a campaign, live."""

    state: CampaignState
    paid_units: int
    reserved_units: int
    next_goal: GoalView | None
    remaining: int
    pressing_met: bool  # closing now would confirm the pressing
    suggested_run: int | None  # confirmed once succeeded; what it would be while running
    bonuses_given: dict[int, int]
    backers: int  # backings not refunded: all refunded at once if the campaign fails
    refunded: int
    early_download_unready: bool  # promised, but no flagged track has its full file


def campaign_figures(session: Session, campaign: Campaign, *, now: datetime) -> CampaignFigures:
    """Paid and reserved units, the next goal, the (would-be) run, bonuses and refunds."""
    progress = progress_of(session, campaign)
    units = progress.paid_units
    refunded, backers = refund_counts(session, campaign)
    return CampaignFigures(
        state=campaign.state(now),
        paid_units=units,
        reserved_units=reserved_units(session, campaign),
        next_goal=progress.next_goal,
        remaining=progress.remaining,
        pressing_met=pressing_met(units, pressing_thresholds(campaign)),
        suggested_run=(
            campaign.suggested_run
            if campaign.outcome
            else suggested_run(units, campaign.run_margin_percent)
        ),
        bonuses_given=bonuses_given(session, campaign),
        backers=backers,
        refunded=refunded,
        early_download_unready=early_download_unready(campaign),
    )


def early_download_unready(campaign: Campaign) -> bool:
    """An early-download goal exists but no track of the release can be delivered early."""
    promised = any(goal.reward_kind == RewardKind.EARLY_DOWNLOAD for goal in campaign.goals)
    ready = any(track.early_download and track.file_path for track in campaign.release.tracks)
    return promised and not ready
