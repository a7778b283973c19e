"""What a backer gets: unlocked rewards behind signed links, first-N bonuses, ship dates.

Links are signed with itsdangerous and name the order and the goal; access is checked
again on every visit (the order still backs the campaign, the goal is reached).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Track
from storefront.errors import StorefrontError
from storefront.files import private_path
from storefront.orders.models import Order
from storefront.preorders.models import Backing, Goal, RewardKind
from storefront.signing import load_exact

SALT = "sillon.reward"


class RewardUnavailable(StorefrontError):
    code = "reward_unavailable"
    status = 404


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
