"""A campaign as the public sees it: one summary behind the release page, JSON and widget.

Read-only: these helpers shape what `services` reads so the three views never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.jsonout import json_time
from storefront.preorders.models import BonusAward, Campaign, CampaignState, GoalKind, RewardKind
from storefront.preorders.progress import GoalView, Progress
from storefront.preorders.services import campaign_for_release, paid_units

VIDEO_SUFFIXES = frozenset({".mp4", ".webm"})
AUDIO_SUFFIXES = frozenset({".mp3", ".ogg", ".wav", ".flac"})


@dataclass(frozen=True)
class GoalSummary(GoalView):
    reward_kind: str = RewardKind.NONE

    @property
    def reached(self) -> bool:
        return self.reached_at is not None


@dataclass(frozen=True)
class BonusSummary:
    title: str
    size: int
    left: int


@dataclass(frozen=True)
class CampaignSummary:
    """Everything a visitor may know about a campaign; the same for every visitor."""

    release_slug: str
    state: CampaignState
    taking_preorders: bool
    paid_units: int
    goals: tuple[GoalSummary, ...]
    bonuses: tuple[BonusSummary, ...]
    opens_at: datetime
    closes_at: datetime
    ships_on: date
    product_ids: frozenset[int]
    next_goal: GoalSummary | None
    remaining: int

    @property
    def has_pressing_goal(self) -> bool:
        return any(goal.kind == GoalKind.PRESSING for goal in self.goals)

    @property
    def is_live(self) -> bool:
        """Upcoming or open: figures may still move, the page's script keeps polling."""
        return self.state in (CampaignState.UPCOMING, CampaignState.OPEN)

    @property
    def bar_max(self) -> int:
        """The bar's full width: the next goal, else the highest one, else the units so far."""
        if self.next_goal:
            return self.next_goal.threshold
        return max((goal.threshold for goal in self.goals), default=max(self.paid_units, 1))


def campaign_summary(
    session: Session, release: Release, *, now: datetime
) -> CampaignSummary | None:
    """The release's latest campaign as the public sees it, or None without one.

    Once the campaign is closed (succeeded or failed) there is no next goal."""
    campaign = campaign_for_release(session, release.id)
    if campaign is None:
        return None
    state = campaign.state(now)
    goals = tuple(
        GoalSummary(g.kind, g.threshold, g.reward_title, g.reached_at, g.reward_kind)
        for g in campaign.goals
    )
    progress = Progress(paid_units(session, campaign), goals)
    closed = state in (CampaignState.SUCCEEDED, CampaignState.FAILED)
    # Progress picks among the summaries it was given, so the next goal is one of them.
    next_goal = None if closed else cast(GoalSummary | None, progress.next_goal)
    return CampaignSummary(
        release_slug=release.slug,
        state=state,
        taking_preorders=campaign.is_taking_preorders(now),
        paid_units=progress.paid_units,
        goals=goals,
        bonuses=_bonuses(session, campaign),
        opens_at=campaign.opens_for(),
        closes_at=campaign.closes_at,
        ships_on=campaign.ships_on,
        product_ids=frozenset(product.id for product in campaign.products),
        next_goal=next_goal,
        remaining=next_goal.threshold - progress.paid_units if next_goal else 0,
    )


def _bonuses(session: Session, campaign: Campaign) -> tuple[BonusSummary, ...]:
    given = dict(
        session.execute(
            select(BonusAward.bonus_id, func.count())
            .where(BonusAward.bonus_id.in_([bonus.id for bonus in campaign.bonuses]))
            .group_by(BonusAward.bonus_id)
        ).all()
    )
    return tuple(
        BonusSummary(bonus.title, bonus.size, max(0, bonus.size - given.get(bonus.id, 0)))
        for bonus in campaign.bonuses
    )


def _goal_json(goal: GoalSummary) -> dict:
    return {
        "kind": goal.kind,
        "threshold": goal.threshold,
        "reward_title": goal.reward_title,
        "reached_at": json_time(goal.reached_at),
    }


def summary_json(summary: CampaignSummary) -> dict:
    """The summary as the public JSON endpoint answers it."""
    return {
        "release": summary.release_slug,
        "state": str(summary.state),
        "paid_units": summary.paid_units,
        "goals": [_goal_json(goal) for goal in summary.goals],
        "opens_at": json_time(summary.opens_at),
        "closes_at": json_time(summary.closes_at),
        "ships_on": summary.ships_on.isoformat(),
        "next_goal": _goal_json(summary.next_goal) if summary.next_goal else None,
        "remaining": summary.remaining,
    }


def media_kind(filename: str | None) -> str | None:
    """ "video" or "audio" for a reward file the browser can play, else None."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None
