"""Closing campaigns: the pressing is confirmed, or every backer is refunded.

`close_due_campaigns` is safe to run every minute and to re-run after a crash: the
outcome is decided once (a conditional UPDATE), and refunds go one order per
transaction with a fixed idempotency key, skipping orders already refunded.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.errors import InvalidTransition, PaymentError
from storefront.mail.messages import queue_order_mail
from storefront.orders.models import Order, Refund
from storefront.payments.services import refund_order
from storefront.preorders.models import Backing, Campaign, CampaignState
from storefront.preorders.progress import pressing_met, suggested_run
from storefront.preorders.services import paid_units, pressing_thresholds

log = logging.getLogger(__name__)


def close_due_campaigns(session: Session, *, now: datetime) -> dict[str, int]:
    """Close every campaign past its deadline and finish the refunds of failed ones."""
    due = session.scalars(
        select(Campaign).where(Campaign.outcome.is_(None), Campaign.closes_at <= now)
    ).all()
    counts = {"succeeded": 0, "failed": 0, "refunded": 0, "refund_errors": 0}
    for campaign in due:
        counts[_decide(session, campaign, now)] += 1
    failed = session.scalars(select(Campaign).where(Campaign.outcome == CampaignState.FAILED)).all()
    for campaign in failed:
        refunded, errors = refund_backers(session, campaign, now=now)
        counts["refunded"] += refunded
        counts["refund_errors"] += errors
    return counts


def close_campaign(session: Session, campaign: Campaign, *, now: datetime) -> str:
    """Close now (the label's button): decide the outcome once, refund if it failed."""
    outcome = _decide(session, campaign, now)
    if outcome == CampaignState.FAILED:
        refund_backers(session, campaign, now=now)
    return outcome


@transactional
def _decide(session: Session, campaign: Campaign, now: datetime) -> str:
    if campaign.outcome:
        raise InvalidTransition(f"campaign {campaign.id} is already {campaign.outcome}")
    units = paid_units(session, campaign)
    succeeded = pressing_met(units, pressing_thresholds(campaign))
    outcome = CampaignState.SUCCEEDED if succeeded else CampaignState.FAILED
    claimed = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.outcome.is_(None))
        .values(
            outcome=outcome,
            closed_at=now,
            suggested_run=suggested_run(units, campaign.run_margin_percent) if succeeded else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(campaign)
    if not claimed:
        raise InvalidTransition(f"campaign {campaign.id} was closed meanwhile")
    if succeeded:
        for order in _backing_orders(session, campaign):
            queue_order_mail(
                session,
                order,
                "pressing_confirmed",
                release=campaign.release.title,
                campaign=campaign,
            )
    return outcome


def refund_backers(session: Session, campaign: Campaign, *, now: datetime) -> tuple[int, int]:
    """Refund each backing of a failed campaign not refunded yet; (refunded, errors)."""
    pending = session.scalars(
        select(Backing)
        .where(Backing.campaign_id == campaign.id, Backing.refunded_at.is_(None))
        .order_by(Backing.id)
    ).all()
    refunded = errors = 0
    for backing in pending:
        try:
            _refund_backing(session, campaign, backing, now)
            refunded += 1
        except PaymentError as error:
            # Stripe down or refusing: the next run retries with the same key.
            log.warning(
                "refund of %s for campaign %s failed: %s",
                backing.order.reference,
                campaign.id,
                error,
            )
            session.rollback()
            errors += 1
    return refunded, errors


def _refund_backing(session: Session, campaign: Campaign, backing: Backing, now: datetime) -> None:
    order = backing.order
    reason = f"campaign {campaign.id}: pressing goal missed"
    if not _already_refunded(session, order, reason):
        with force_locale(order.locale):
            order.notice = _(
                "The pressing goal of %(release)s was not reached: as promised, you are "
                "refunded in full.",
                release=campaign.release.title,
            )
        refund_order(
            session,
            order,
            reason=reason,
            now=now,
            amount_cents=_amount_due(order, backing),
            idempotency_key=f"campaign-{campaign.id}-{order.reference}",
        )
    _mark_refunded(session, backing, now)


def _already_refunded(session: Session, order: Order, reason: str) -> bool:
    return (
        session.scalar(
            select(Refund.id).where(Refund.order_id == order.id, Refund.reason == reason)
        )
        is not None
    )


def _amount_due(order: Order, backing: Backing) -> int:
    """The preorder lines; with the shipping too when the order held nothing else."""
    whole = backing.amount_cents == order.goods_cents
    return order.total_cents if whole else backing.amount_cents


@transactional
def _mark_refunded(session: Session, backing: Backing, now: datetime) -> None:
    session.execute(
        update(Backing)
        .where(Backing.id == backing.id, Backing.refunded_at.is_(None))
        .values(refunded_at=now)
        .execution_options(synchronize_session=False)
    )
    if backing.order.refunded_cents < backing.order.total_cents:
        # A partial refund (other items stay): the fan is told here, the order stays paid.
        queue_order_mail(session, backing.order, "order_refunded")


def _backing_orders(session: Session, campaign: Campaign) -> list[Order]:
    return list(
        session.scalars(
            select(Order)
            .join(Backing, Backing.order_id == Order.id)
            .where(Backing.campaign_id == campaign.id, Backing.refunded_at.is_(None))
            .order_by(Order.id)
        )
    )
