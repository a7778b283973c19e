"""What happened in a week, read for the ritual: small aggregate queries, one per fact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.budgets.models import BudgetCategory, BudgetLine, BudgetSpend
from storefront.catalog.models import (
    Product,
    ProductKind,
    ProductOption,
    Release,
    StockMove,
    StockReason,
)
from storefront.fulfilment.models import Return, ReturnLine
from storefront.inventory.models import RestockOrder
from storefront.kpis.models import PlaylistAdds
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import OrderStatus
from storefront.payments.models import PaymentProblem
from storefront.preorders.models import Backing, Campaign
from storefront.preorders.services import paid_units, pressing_thresholds

# A paid parcel older than this is a fan waiting: the support ritual says so.
WAITING_DAYS = 7
# A campaign closing within this many days short of its pressing goal needs its pitch now.
CLOSING_SOON_DAYS = 14
PRESS_LEAD_DAYS = 42  # releases coming within six weeks: the press and radio calendar


@dataclass(frozen=True)
class CampaignWeek:
    campaign_id: int
    title: str
    backed_this_week: int  # units
    backed: int  # units in all
    goal: int
    closes_at: datetime

    @property
    def short(self) -> int:
        return max(self.goal - self.backed, 0)


def stock_moves(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Units moved per reason in the week (negative: out of the stock)."""
    rows = session.execute(
        select(StockMove.reason, func.sum(StockMove.delta))
        .where(StockMove.at >= since, StockMove.at < until)
        .group_by(StockMove.reason)
    ).all()
    return {reason: int(total or 0) for reason, total in rows}


def returns(session: Session, since: datetime, until: datetime) -> tuple[int, int]:
    """Returns recorded in the week, and their units."""
    count = session.scalar(
        select(func.count(Return.id)).where(Return.created_at >= since, Return.created_at < until)
    )
    units = session.scalar(
        select(func.coalesce(func.sum(ReturnLine.quantity), 0))
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.created_at >= since, Return.created_at < until)
    )
    return int(count or 0), int(units or 0)


def restocks_received(session: Session, since: datetime, until: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(RestockOrder.id)).where(
                RestockOrder.received_at >= since, RestockOrder.received_at < until
            )
        )
        or 0
    )


def open_campaigns(session: Session, since: datetime, until: datetime) -> list[CampaignWeek]:
    """Campaigns open at the week's end with their units backed, in all and this week."""
    campaigns = session.scalars(
        select(Campaign)
        .where(Campaign.opens_at < until, Campaign.closed_at.is_(None))
        .order_by(Campaign.closes_at)
    ).all()
    return [_campaign_week(session, campaign, since, until) for campaign in campaigns]


def _campaign_week(session, campaign: Campaign, since: datetime, until: datetime) -> CampaignWeek:
    week = select(func.coalesce(func.sum(Backing.units), 0)).where(
        Backing.campaign_id == campaign.id,
        Backing.refunded_at.is_(None),
        Backing.paid_at >= since,
        Backing.paid_at < until,
    )
    return CampaignWeek(
        campaign_id=campaign.id,
        title=campaign.release.title,
        backed_this_week=int(session.scalar(week) or 0),
        backed=paid_units(session, campaign),
        goal=max(pressing_thresholds(campaign), default=0),
        closes_at=campaign.closes_at,
    )


def ads_spent(session: Session, first: date, last: date) -> int:
    """Cents spent on ads lines in the week (spends are dated by day)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(BudgetSpend.amount_cents), 0))
            .join(BudgetLine, BudgetLine.id == BudgetSpend.line_id)
            .where(
                BudgetLine.category == BudgetCategory.ADS,
                BudgetSpend.spent_on >= first,
                BudgetSpend.spent_on <= last,
            )
        )
        or 0
    )


def playlist_adds_typed(session: Session, week: date) -> int | None:
    """The label-wide organic playlist adds typed for the week; None when not typed yet."""
    return session.scalar(
        select(PlaylistAdds.adds).where(
            PlaylistAdds.week == week, PlaylistAdds.release_id.is_(None)
        )
    )


def coming_releases(session: Session, today: date) -> list[Release]:
    """Releases out within the press lead time: the press and radio calendar."""
    return list(
        session.scalars(
            select(Release)
            .where(Release.release_date > today)
            .where(Release.release_date <= today + timedelta(days=PRESS_LEAD_DAYS))
            .order_by(Release.release_date)
        )
    )


def parcels_waiting(session: Session, now: datetime) -> int:
    """Paid orders with something to post, paid more than WAITING_DAYS ago (preorders
    whose campaign ships later are not waiting: they wait for their date)."""
    physical = select(OrderLine.order_id).where(OrderLine.kind != ProductKind.DIGITAL)
    later = (
        select(Backing.order_id)
        .join(Campaign, Campaign.id == Backing.campaign_id)
        .where(Campaign.ships_on > now.date())
    )
    return int(
        session.scalar(
            select(func.count(Order.id)).where(
                Order.status == OrderStatus.PAID,
                Order.paid_at < now - timedelta(days=WAITING_DAYS),
                Order.id.in_(physical),
                Order.id.not_in(later),
                Order.distributor_id.is_(None),
                Order.gig_id.is_(None),
            )
        )
        or 0
    )


def payment_problems(session: Session, since: datetime, until: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(PaymentProblem.id)).where(
                PaymentProblem.created_at >= since, PaymentProblem.created_at < until
            )
        )
        or 0
    )


def new_subscribers(session: Session, since: datetime, until: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(Subscriber.id)).where(
                Subscriber.confirmed_at >= since, Subscriber.confirmed_at < until
            )
        )
        or 0
    )


def checkouts(session: Session, since: datetime, until: datetime) -> tuple[int, int]:
    """Shop checkouts started in the week, and those of them paid."""
    started = select(func.count(Order.id)).where(
        Order.created_at >= since,
        Order.created_at < until,
        Order.gig_id.is_(None),
        Order.distributor_id.is_(None),
    )
    paid = started.where(Order.paid_at.is_not(None))
    return int(session.scalar(started) or 0), int(session.scalar(paid) or 0)


def sold_out_on_sale(session: Session) -> list[str]:
    """Active physical products with nothing left: a page that cannot sell."""
    plain = select(Product).where(
        Product.active.is_(True),
        Product.kind != ProductKind.DIGITAL,
        Product.stock == 0,
        ~Product.options.any(),
    )
    sized = select(Product).where(
        Product.active.is_(True),
        Product.options.any(),
        ~Product.options.any(ProductOption.stock > 0),
    )
    products = [*session.scalars(plain), *session.scalars(sized)]
    return sorted(product.describe() for product in products)


def sale_units(moves: dict[str, int]) -> int:
    """Units that left with orders in the week, reservations given back taken off."""
    return -(moves.get(StockReason.SALE, 0) + moves.get(StockReason.RELEASE, 0))
