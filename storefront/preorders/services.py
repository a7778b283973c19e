"""Reading campaigns: which one covers a product, how far it has got, who may preorder."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storefront.errors import StorefrontError
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import OrderStatus
from storefront.preorders.models import Backing, Campaign, CampaignState, GoalKind, campaign_product
from storefront.preorders.progress import GoalView, Progress


class PreorderRefused(StorefrontError):
    code = "preorder_refused"
    status = 409


def campaigns_by_product(session: Session, product_ids: set[int]) -> dict[int, Campaign]:
    """The latest campaign covering each product (open, upcoming or closed)."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(campaign_product.c.product_id, Campaign)
        .join(Campaign, Campaign.id == campaign_product.c.campaign_id)
        .where(campaign_product.c.product_id.in_(product_ids))
        .order_by(Campaign.opens_at)
    ).all()
    return {product_id: campaign for product_id, campaign in rows}


def release_campaigns(
    session: Session, release_id: int, *, now: datetime
) -> list[tuple[Campaign, CampaignState]]:
    """A release's campaigns, oldest first, with their state at `now`."""
    query = select(Campaign).where(Campaign.release_id == release_id).order_by(Campaign.opens_at)
    return [(campaign, campaign.state(now)) for campaign in session.scalars(query)]


def campaign_for_release(session: Session, release_id: int) -> Campaign | None:
    """The release's latest campaign, with its goals and bonuses."""
    return session.scalar(
        select(Campaign)
        .where(Campaign.release_id == release_id)
        .options(
            selectinload(Campaign.goals),
            selectinload(Campaign.bonuses),
            selectinload(Campaign.products),
        )
        .order_by(Campaign.opens_at.desc())
        .limit(1)
    )


def paid_units(session: Session, campaign: Campaign) -> int:
    """Units paid for and not refunded: what goals count."""
    return session.scalar(
        select(func.coalesce(func.sum(Backing.units), 0)).where(
            Backing.campaign_id == campaign.id, Backing.refunded_at.is_(None)
        )
    )


def reserved_units(session: Session, campaign: Campaign) -> int:
    """Units held by checkouts not paid yet (shown to the label, never counted)."""
    return session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .join(campaign_product, campaign_product.c.product_id == OrderLine.product_id)
        .where(
            campaign_product.c.campaign_id == campaign.id,
            Order.status == OrderStatus.PENDING,
            Order.created_at >= campaign.first_opens_at,
        )
    )


def progress_of(session: Session, campaign: Campaign) -> Progress:
    goals = tuple(
        GoalView(g.kind, g.threshold, g.reward_title, g.reached_at) for g in campaign.goals
    )
    return Progress(paid_units(session, campaign), goals)


def pressing_thresholds(campaign: Campaign) -> list[int]:
    return [goal.threshold for goal in campaign.goals if goal.kind == GoalKind.PRESSING]


def is_preorder(campaign: Campaign, placed_at: datetime) -> bool:
    """Whether a line for one of the campaign's products, placed at `placed_at`, is a
    preorder in it: placed while the campaign took preorders. The one rule that the
    checks, the counts, every page and every mail follow."""
    ends = min(campaign.closes_at, campaign.closed_at or campaign.closes_at)
    return campaign.first_opens_at <= placed_at < ends


def preorder_lines(
    campaigns: dict[int, Campaign], lines: Iterable, placed_at: datetime
) -> dict[Campaign, list]:
    """The lines (cart or order lines, with `product_id`) that are preorders, by campaign."""
    grouped: dict[Campaign, list] = {}
    for line in lines:
        campaign = campaigns.get(line.product_id)
        if campaign is not None and is_preorder(campaign, placed_at):
            grouped.setdefault(campaign, []).append(line)
    return grouped


def check_preorder_lines(session: Session, *, lines: list, now: datetime) -> None:
    """Refuse a checkout with preorders outside their window."""
    campaigns = campaigns_by_product(session, {line.product.id for line in lines})
    for line in lines:
        campaign = campaigns.get(line.product.id)
        if campaign is not None and campaign.outcome != "succeeded":
            _check_window(campaign, line.description, now, line.early_hours)


def check_fan_limits(session: Session, *, order: Order) -> None:
    """Refuse an order that takes its fan beyond a campaign's per-fan limit."""
    campaigns = campaigns_by_product(session, {line.product_id for line in order.lines})
    for campaign, lines in preorder_lines(campaigns, order.lines, order.created_at).items():
        units = sum(line.quantity for line in lines)
        if campaign.per_fan_limit is None:
            continue
        already = fan_units(session, campaign, order.fan_key, besides=order)
        if already + units > campaign.per_fan_limit:
            raise PreorderRefused(
                _(
                    "This preorder is limited to %(limit)d per fan; you already have %(already)d.",
                    limit=campaign.per_fan_limit,
                    already=already,
                )
            )


def _check_window(campaign: Campaign, item: str, now: datetime, early_hours: int) -> None:
    if now < campaign.opens_for(early_hours) and campaign.first_opens_at <= now:
        raise PreorderRefused(
            _(
                "Preorders for %(item)s are open to members with early access for now; "
                "they open for everyone on %(when)s (Paris time).",
                item=item,
                when=format_datetime(campaign.opens_at, "d MMMM y, HH:mm"),
            )
        )
    if now < campaign.opens_for(early_hours):
        raise PreorderRefused(
            _(
                "Preorders for %(item)s open on %(date)s.",
                item=item,
                date=format_date(campaign.opens_for(early_hours), "long"),
            )
        )
    if not campaign.is_taking_preorders(now, early_hours):
        raise PreorderRefused(_("Preorders for %(item)s are closed.", item=item))


def fan_units(session: Session, campaign: Campaign, fan_key: str, *, besides: Order) -> int:
    """Units this fan has paid for or is holding in the campaign, in other orders."""
    paid = session.scalar(
        select(func.coalesce(func.sum(Backing.units), 0))
        .join(Order, Order.id == Backing.order_id)
        .where(
            Backing.campaign_id == campaign.id,
            Backing.refunded_at.is_(None),
            Order.fan_key == fan_key,
            Order.id != besides.id,
        )
    )
    held = session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .join(campaign_product, campaign_product.c.product_id == OrderLine.product_id)
        .where(
            campaign_product.c.campaign_id == campaign.id,
            Order.status == OrderStatus.PENDING,
            Order.fan_key == fan_key,
            Order.id != besides.id,
            Order.created_at >= campaign.first_opens_at,
        )
    )
    return paid + held


def backings_started(session: Session, campaign: Campaign) -> bool:
    """Whether an order has been paid in the campaign: from then on its runs are ranked."""
    query = select(Backing.id).where(Backing.campaign_id == campaign.id).limit(1)
    return session.scalar(query) is not None
