"""What a backer gets: unlocked rewards behind signed links, first-N bonuses, ship dates.

Links are signed with itsdangerous and name the order and the goal; access is checked
again on every visit (the order still backs the campaign, the goal is reached).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Track
from storefront.errors import StorefrontError
from storefront.files import private_path
from storefront.orders.extras import order_extras
from storefront.orders.models import Order
from storefront.preorders.models import Backing, Bonus, BonusAward, Campaign, Goal, RewardKind
from storefront.preorders.services import campaigns_by_product
from storefront.signing import load_exact

SALT = "sillon.reward"


class RewardUnavailable(StorefrontError):
    code = "reward_unavailable"
    status = 404


@dataclass
class PreorderView:
    """One campaign as an order sees it."""

    campaign: Campaign
    backing: Backing | None
    awards: list[tuple[Bonus, int | None]] = field(default_factory=list)
    unlocked: list[tuple[Goal, str]] = field(default_factory=list)
    locked: list[Goal] = field(default_factory=list)

    @property
    def ships_on(self) -> date:
        return self.campaign.ships_on


class RewardLinkExpired(RewardUnavailable):
    code = "reward_link_expired"
    status = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def reward_token(order: Order, goal: Goal, track: Track | None = None) -> str:
    """A link to the goal's reward for this order, good for REWARD_LINK_DAYS.

    The order page makes fresh ones each time it is shown, so a link copied elsewhere
    stops working while the backer's own page keeps giving working ones."""
    return _serializer().dumps([order.id, goal.id, track.id if track else 0])


@order_extras
def preorder_extras(session: Session, order: Order) -> dict:
    """`preorders`: for each campaign the order's lines belong to, what it brings."""
    campaigns = campaigns_by_product(session, {line.product_id for line in order.lines})
    views = []
    for campaign in {c.id: c for c in campaigns.values()}.values():
        backing = session.scalar(
            select(Backing).where(Backing.campaign_id == campaign.id, Backing.order_id == order.id)
        )
        views.append(_view(session, order, campaign, backing))
    return {"preorders": views}


def _view(
    session: Session, order: Order, campaign: Campaign, backing: Backing | None
) -> PreorderView:
    view = PreorderView(campaign, backing)
    if backing is None:
        return view
    numbers = dict(
        session.execute(
            select(BonusAward.bonus_id, BonusAward.number).where(BonusAward.order_id == order.id)
        ).all()
    )
    view.awards = [(bonus, numbers.get(bonus.id)) for bonus in campaign.bonuses]
    for goal in campaign.goals:
        if not goal.has_reward:
            continue
        if goal.reached_at and backing.refunded_at is None:
            view.unlocked.append((goal, reward_token(order, goal)))
        else:
            view.locked.append(goal)
    return view


def open_reward(session: Session, token: str) -> tuple[Order, Goal, Track | None]:
    """The order, goal (and early track) a reward link names, if the backer may open it."""
    max_age = current_app.config["REWARD_LINK_DAYS"] * 24 * 3600
    try:
        order_id, goal_id, track_id = load_exact(_serializer(), token, max_age=max_age)
    except SignatureExpired as error:
        # No link to the order here: an old link someone shared must not lead to it.
        raise RewardLinkExpired(
            _(
                "This link has expired. Open your order page again (its address is in your "
                "order confirmation mail): it gives you a fresh link."
            )
        ) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise RewardUnavailable(_("This link is not valid.")) from error
    goal = session.get(Goal, goal_id)
    order = session.get(Order, order_id)
    if goal is None or order is None or goal.reached_at is None or not goal.has_reward:
        raise RewardUnavailable(_("This reward is not unlocked."))
    backing = session.scalar(
        select(Backing).where(
            Backing.campaign_id == goal.campaign_id,
            Backing.order_id == order.id,
            Backing.refunded_at.is_(None),
        )
    )
    if backing is None:
        raise RewardUnavailable(_("This reward is for the campaign's backers."))
    track = session.get(Track, track_id) if track_id else None
    return order, goal, track


def early_tracks(order: Order, goal: Goal) -> list[Track]:
    """Tracks a backer may download early: only for formats that include the digital album."""
    if goal.reward_kind != RewardKind.EARLY_DOWNLOAD:
        return []
    campaign_products = {product.id for product in goal.campaign.products}
    if not any(
        line.product.gives_digital and line.product_id in campaign_products for line in order.lines
    ):
        return []
    return [t for t in goal.campaign.release.tracks if t.early_download and t.file_path]


def reward_path(relative: str | None) -> Path:
    """A reward file inside PRIVATE_DIR, or RewardUnavailable."""
    path = private_path(relative)
    if path is None:
        raise RewardUnavailable(_("This file is not available yet."))
    return path
