"""A campaign's preorders ship as one batch once its promised date has come and its
pressing is certain: before that, the batch is refused with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.fulfilment.bulk import Dispatch, ship_all
from storefront.fulfilment.errors import FulfilmentRefused
from storefront.fulfilment.picking import waiting, waiting_query
from storefront.orders.models import Order
from storefront.preorders.models import Backing, Campaign, CampaignState
from storefront.preorders.progress import pressing_met
from storefront.preorders.services import paid_units, pressing_thresholds


@dataclass(frozen=True)
class Batch:
    campaign: Campaign
    orders: list[Order]  # paid preorders waiting to ship, oldest payment first
    refusal: str | None  # why the batch may not ship today (None: it may)


def batch_orders(session: Session, campaign: Campaign) -> list[Order]:
    """The campaign's paid, not refunded preorders still waiting for their parcel."""
    backed = select(Backing.order_id).where(
        Backing.campaign_id == campaign.id, Backing.refunded_at.is_(None)
    )
    return list(session.scalars(waiting_query().where(Order.id.in_(backed))))


def campaigns_waiting(session: Session) -> list[Campaign]:
    """The campaigns with paid preorders waiting to ship, the soonest promised first."""
    waiting_ids = select(Order.id).where(*waiting())
    backed = select(Backing.campaign_id).where(
        Backing.refunded_at.is_(None), Backing.order_id.in_(waiting_ids)
    )
    query = select(Campaign).where(Campaign.id.in_(backed)).order_by(Campaign.ships_on)
    return list(session.scalars(query))


def batch_refusal(session: Session, campaign: Campaign, *, today: date) -> str | None:
    """Why the campaign's batch may not ship on `today`, or None when it may."""
    if campaign.outcome == CampaignState.FAILED:
        return _("The pressing goal was missed: the backers were refunded, nothing ships.")
    if today < campaign.ships_on:
        return _(
            "The batch ships on %(date)s, the date promised to the backers: not before.",
            date=format_date(campaign.ships_on, "long"),
        )
    thresholds = pressing_thresholds(campaign)
    if not pressing_met(paid_units(session, campaign), thresholds):
        return _("The pressing goal is not reached yet: the record may never be pressed.")
    return None


def campaign_batch(session: Session, campaign: Campaign, *, now: datetime) -> Batch:
    """The campaign's batch as its page shows it."""
    refusal = batch_refusal(session, campaign, today=now.date())
    return Batch(campaign, batch_orders(session, campaign), refusal)


@transactional
def ship_batch(
    session: Session,
    campaign: Campaign,
    *,
    dispatches: Sequence[Dispatch],
    now: datetime,
    actor: str,
) -> int:
    """Post every waiting preorder of the campaign whole (`dispatches`: one per order,
    with its tracking), in one transaction; how many. Refused before the date, while the
    pressing is uncertain, or when the batch changed since the page was shown."""
    refusal = batch_refusal(session, campaign, today=now.date())
    if refusal:
        raise FulfilmentRefused(refusal)
    waiting = {order.reference for order in batch_orders(session, campaign)}
    if not waiting:
        raise FulfilmentRefused(_("No paid preorder of this campaign waits to ship."))
    if {dispatch.reference for dispatch in dispatches} != waiting:
        raise FulfilmentRefused(
            _("The batch changed since the page was shown: check it again, then ship.")
        )
    return ship_all(session, dispatches, now=now, actor=actor)
