"""The label's side of campaigns: writing campaigns, goals and bonuses, closing by hand
(the live figures the admin reads are in `figures`).

Each public write is one transaction and raises CampaignRefused (naming the form field
it concerns) when it breaks a campaign rule. A closed campaign keeps its window, goals
and bonuses as they were; only what a reached goal gives (its reward) may still change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.catalog.models import Product, Release
from storefront.database import transactional
from storefront.errors import InvalidTransition
from storefront.preorders.closing import close_campaign
from storefront.preorders.figures import bonuses_given, refund_counts
from storefront.preorders.models import (
    Bonus,
    Campaign,
    Goal,
    GoalKind,
    RewardKind,
    campaign_product,
)
from storefront.preorders.progress import thresholds_ordered

MEDIA_REWARDS = {RewardKind.LIVE_SESSION, RewardKind.BONUS_TRACK}  # need a file or a link


class CampaignRefused(CatalogRefused):
    """A campaign edit breaks a preorder rule; `field` names the form field it concerns."""

    code = "campaign_refused"


def refusal(message, field: str | None = None) -> CampaignRefused:
    """The refusal to raise for `message`, shown on `field` (or above the form)."""
    return CampaignRefused(str(message), field=field)


CLOSED = _l("This campaign is closed: it can no longer be changed.")


def check_not_closed(campaign: Campaign) -> None:
    """Refuse any change to a campaign that has closed."""
    if campaign.outcome:
        raise refusal(CLOSED)


# --- campaigns --------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFields:
    """`opens_at` and `closes_at` are aware, in the zone the label typed them in: the ship
    date must come after the close's date there."""

    opens_at: datetime
    closes_at: datetime
    ships_on: date
    product_ids: tuple[int, ...]
    per_fan_limit: int | None = None
    run_margin_percent: int = 10


@transactional
def create_campaign(session: Session, release: Release, *, fields: CampaignFields) -> Campaign:
    """A campaign for `release` over some of its products (goals and bonuses come next)."""
    products = _check_campaign(session, release, fields, campaign_id=None)
    campaign = Campaign(release=release)
    _apply_campaign(campaign, fields, products)
    session.add(campaign)
    return campaign


@transactional
def update_campaign(session: Session, campaign: Campaign, *, fields: CampaignFields) -> Campaign:
    """Change a campaign's window, products, limit or margin, until it is closed."""
    check_not_closed(campaign)
    products = _check_campaign(session, campaign.release, fields, campaign_id=campaign.id)
    _apply_campaign(campaign, fields, products)
    return campaign


def _apply_campaign(campaign: Campaign, fields: CampaignFields, products: list[Product]) -> None:
    campaign.opens_at = fields.opens_at.astimezone(UTC)
    campaign.closes_at = fields.closes_at.astimezone(UTC)
    campaign.ships_on = fields.ships_on
    campaign.products = products
    campaign.per_fan_limit = fields.per_fan_limit
    campaign.run_margin_percent = fields.run_margin_percent


def _check_campaign(
    session: Session, release: Release, fields: CampaignFields, *, campaign_id: int | None
) -> list[Product]:
    """The products chosen, once the window, ship date, limit and margin make sense."""
    if fields.closes_at <= fields.opens_at:
        raise refusal(_l("The campaign must close after it opens."), "closes_at")
    closing_day = fields.closes_at.date()
    if fields.ships_on <= closing_day:
        message = _l(
            "The ship date must come after the close (%(date)s).",
            date=format_date(closing_day, "long"),
        )
        raise refusal(message, "ships_on")
    if fields.per_fan_limit is not None and fields.per_fan_limit < 1:
        message = _l("A limit per fan is at least 1 unit; leave it empty for no limit.")
        raise refusal(message, "per_fan_limit")
    if fields.run_margin_percent < 0:
        raise refusal(_l("The run margin cannot be negative."), "run_margin_percent")
    products = _chosen_products(release, fields.product_ids)
    _check_no_overlap(session, products, fields, campaign_id)
    return products


def _chosen_products(release: Release, product_ids: tuple[int, ...]) -> list[Product]:
    by_id = {product.id: product for product in release.products}
    if not product_ids:
        raise refusal(_l("Choose at least one product the campaign covers."), "product_ids")
    if any(product_id not in by_id for product_id in product_ids):
        raise refusal(_l("Choose among the products of this release."), "product_ids")
    return [by_id[product_id] for product_id in dict.fromkeys(product_ids)]


def _check_no_overlap(
    session: Session, products: list[Product], fields: CampaignFields, campaign_id: int | None
) -> None:
    """A product is preordered in one campaign at a time (among those not closed)."""
    query = (
        select(Product.name)
        .join(campaign_product, campaign_product.c.product_id == Product.id)
        .join(Campaign, Campaign.id == campaign_product.c.campaign_id)
        .where(
            Product.id.in_([product.id for product in products]),
            Campaign.outcome.is_(None),
            Campaign.opens_at < fields.closes_at,
            Campaign.closes_at > fields.opens_at,
        )
    )
    if campaign_id is not None:
        query = query.where(Campaign.id != campaign_id)
    name = session.scalar(query.limit(1))
    if name is not None:
        message = _l("“%(product)s” is already in another campaign at that time.", product=name)
        raise refusal(message, "product_ids")


# --- goals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalFields:
    kind: str
    threshold: int
    reward_title: str
    reward_kind: str = RewardKind.NONE
    reward_description: str = ""
    embed_url: str | None = None
    reward_date: datetime | None = None  # aware


@transactional
def add_goal(
    session: Session, campaign: Campaign, *, fields: GoalFields, reward_file: str | None = None
) -> Goal:
    """A goal with its reward: a file (under PRIVATE_DIR) or an embed link, or none."""
    check_not_closed(campaign)
    _check_goal(campaign, fields, goal_id=None)
    _check_media(fields, new_file=reward_file, kept_file=None)
    goal = Goal(kind=fields.kind, threshold=fields.threshold)
    _apply_reward(goal, fields, reward_file)
    campaign.goals.append(goal)
    _flush_or_refuse(session, _duplicate(fields), "threshold")
    return goal


@transactional
def update_goal(
    session: Session, goal: Goal, *, fields: GoalFields, reward_file: str | None = None
) -> Goal:
    """Change a goal; once it is reached or its campaign closed, only its reward may change."""
    moved = (fields.kind, fields.threshold) != (goal.kind, goal.threshold)
    if moved and (goal.campaign.outcome or goal.reached_at is not None):
        message = _l("This goal is reached or its campaign closed: only its reward can change.")
        raise refusal(message, "threshold")
    _check_goal(goal.campaign, fields, goal_id=goal.id)
    _check_media(fields, new_file=reward_file, kept_file=goal.reward_file)
    goal.kind, goal.threshold = fields.kind, fields.threshold
    _apply_reward(goal, fields, reward_file)
    _flush_or_refuse(session, _duplicate(fields), "threshold")
    return goal


@transactional
def delete_goal(session: Session, goal: Goal) -> None:
    """Remove a goal nobody reached yet, from a campaign still running."""
    if reason := _goal_stays(goal):
        raise refusal(reason)
    goal.campaign.goals.remove(goal)


def _goal_stays(goal: Goal):
    """Why the goal may not be removed, or None."""
    if goal.campaign.outcome:
        return CLOSED
    if goal.reached_at is not None:
        return _l("This goal is reached: backers hold its reward, it stays.")
    return None


def _duplicate(fields: GoalFields):
    return _l("A goal of this kind is already at %(n)d units.", n=fields.threshold)


def _check_goal(campaign: Campaign, fields: GoalFields, *, goal_id: int | None) -> None:
    if fields.kind not in set(GoalKind):
        raise refusal(_l("Choose a pressing goal or an unlock."), "kind")
    if fields.reward_kind not in set(RewardKind):
        raise refusal(_l("Choose one of the rewards listed."), "reward_kind")
    if fields.threshold < 1:
        raise refusal(_l("A threshold is a number of paid units: 1 or more."), "threshold")
    others = [g.threshold for g in campaign.goals if g.kind == fields.kind and g.id != goal_id]
    if not thresholds_ordered(sorted([*others, fields.threshold])):
        raise refusal(_duplicate(fields), "threshold")


def _check_media(fields: GoalFields, *, new_file: str | None, kept_file: str | None) -> None:
    """A live session or a bonus track is uploaded or linked; a link is https."""
    if fields.embed_url:
        _check_embed_url(fields.embed_url)
        if new_file:
            message = _l("Give the reward as a file or as a link, not both: empty the link.")
            raise refusal(message, "embed_url")
    if fields.reward_kind in MEDIA_REWARDS and not (new_file or fields.embed_url or kept_file):
        message = _l("A live session or a bonus track needs its file or an embed link.")
        raise refusal(message, "media_file")


def _check_embed_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        valid = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:
        valid = False
    if not valid or any(char.isspace() or not char.isprintable() for char in url):
        message = _l("The link must be a full https:// address, like https://vimeo.com/123.")
        raise refusal(message, "embed_url")


def _apply_reward(goal: Goal, fields: GoalFields, reward_file: str | None) -> None:
    """The reward's details; a new file replaces the link, a link replaces the file."""
    goal.reward_title = fields.reward_title
    goal.reward_kind = fields.reward_kind
    goal.reward_description = fields.reward_description
    goal.reward_date = fields.reward_date.astimezone(UTC) if fields.reward_date else None
    if reward_file:
        goal.reward_file, goal.reward_embed_url = reward_file, None
    elif fields.embed_url:
        goal.reward_file, goal.reward_embed_url = None, fields.embed_url
    else:
        goal.reward_embed_url = None


def _flush_or_refuse(session: Session, message, field: str) -> None:
    # The unique constraint is the last word when two admins save at the same moment.
    try:
        session.flush()
    except IntegrityError:
        raise refusal(message, field) from None


# --- bonuses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BonusFields:
    title: str
    size: int


@transactional
def add_bonus(session: Session, campaign: Campaign, *, fields: BonusFields) -> Bonus:
    """A bonus for the first `size` paid preorders."""
    check_not_closed(campaign)
    _check_size(fields.size, given=0)
    bonus = Bonus(title=fields.title, size=fields.size)
    campaign.bonuses.append(bonus)
    return bonus


@transactional
def update_bonus(session: Session, bonus: Bonus, *, fields: BonusFields) -> Bonus:
    """Rename or resize a bonus; never below the numbers already handed out."""
    check_not_closed(bonus.campaign)
    _check_size(fields.size, given=bonuses_given(session, bonus.campaign).get(bonus.id, 0))
    bonus.title, bonus.size = fields.title, fields.size
    return bonus


@transactional
def delete_bonus(session: Session, bonus: Bonus) -> None:
    """Remove a bonus nobody received yet."""
    if reason := _bonus_stays(bonus, bonuses_given(session, bonus.campaign)):
        raise refusal(reason)
    bonus.campaign.bonuses.remove(bonus)


def _bonus_stays(bonus: Bonus, given: dict[int, int]):
    """Why the bonus may not be removed (`given`: numbers handed out by bonus id), or None."""
    if bonus.campaign.outcome:
        return CLOSED
    if given.get(bonus.id, 0):
        return _l("Fans already hold numbers of this bonus: it stays.")
    return None


@dataclass(frozen=True)
class CampaignChanges:
    """What a campaign's page offers: exactly what the services above would accept."""

    open: bool  # the campaign (its settings, goals, bonuses, pools) still takes changes
    removable_goals: frozenset[int]
    removable_bonuses: frozenset[int]


def campaign_changes(session: Session, campaign: Campaign, *, may_write: bool) -> CampaignChanges:
    """The changes the page offers to someone who `may_write` (an admin), or none."""
    given = bonuses_given(session, campaign)
    return CampaignChanges(
        open=may_write and not campaign.outcome,
        removable_goals=frozenset(
            g.id for g in campaign.goals if may_write and _goal_stays(g) is None
        ),
        removable_bonuses=frozenset(
            b.id for b in campaign.bonuses if may_write and _bonus_stays(b, given) is None
        ),
    )


def _check_size(size: int, *, given: int) -> None:
    if size < 1:
        raise refusal(_l("A bonus goes to at least the first paid preorder: 1 or more."), "size")
    if size < given:
        message = _l(
            "Numbers handed out already: %(given)d. The size cannot be smaller.", given=given
        )
        raise refusal(message, "size")


# --- closing by hand -------------------------------------------------------------------


@dataclass(frozen=True)
class CloseReport:
    outcome: str
    suggested_run: int | None
    refunded: int  # backers refunded
    refund_errors: int  # backers still to refund (the close-due job retries them)


def close_by_hand(session: Session, campaign: Campaign, *, now: datetime) -> CloseReport:
    """Close now: the outcome is decided once; a failed campaign refunds its backers."""
    try:
        outcome = close_campaign(session, campaign, now=now)
    except InvalidTransition:
        raise refusal(_l("This campaign is already closed.")) from None
    refunded, pending = refund_counts(session, campaign)
    return CloseReport(outcome, campaign.suggested_run, refunded, pending)
