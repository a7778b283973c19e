"""When a preorder is paid: count it, hand out first-N bonuses, unlock goals.

Runs inside the payment's transaction (called by the preorders mechanic). Everything that
must happen exactly once is serialised on the campaign row: a row lock on PostgreSQL;
on SQLite the payment already holds the database's single write lock. Unique
constraints back both up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.database import lock_row
from storefront.mail.messages import queue_order_mail
from storefront.orders.models import Order
from storefront.preorders.models import Backing, BonusAward, Campaign, Goal, GoalKind
from storefront.preorders.services import campaigns_by_product, paid_units, preorder_lines


def record_backing(session: Session, order: Order, *, now: datetime) -> None:
    """Count a paid order's preorder units in the campaign(s) it was placed in."""
    campaigns = campaigns_by_product(session, {line.product_id for line in order.lines})
    for campaign, lines in preorder_lines(campaigns, order.lines, order.created_at).items():
        lock_row(session, Campaign, campaign.id)
        session.add(
            Backing(
                campaign_id=campaign.id,
                order_id=order.id,
                email=order.email,
                units=sum(line.quantity for line in lines),
                amount_cents=sum(line.total_cents for line in lines),
                paid_at=now,
            )
        )
        session.flush()
        if campaign.outcome is None:  # a late payment after close only needs counting
            _award_bonuses(session, campaign, order)
            _reach_goals(session, campaign, now)


def release_backing(session: Session, order: Order, *, now: datetime) -> None:
    """A refunded order no longer counts towards any goal."""
    session.execute(
        update(Backing)
        .where(Backing.order_id == order.id, Backing.refunded_at.is_(None))
        .values(refunded_at=now)
        .execution_options(synchronize_session=False)
    )


def _award_bonuses(session: Session, campaign: Campaign, order: Order) -> None:
    """The next number of each bonus, while numbers are left (by payment order)."""
    for bonus in campaign.bonuses:
        given = session.scalar(select(func.count()).where(BonusAward.bonus_id == bonus.id))
        if given < bonus.size:
            session.add(BonusAward(bonus_id=bonus.id, order_id=order.id, number=given + 1))
    session.flush()


def _reach_goals(session: Session, campaign: Campaign, now: datetime) -> None:
    units = paid_units(session, campaign)
    for goal in campaign.goals:
        if goal.reached_at is not None or goal.threshold > units:
            continue
        reached = session.execute(
            update(Goal)
            .where(Goal.id == goal.id, Goal.reached_at.is_(None))
            .values(reached_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(goal)
        if reached and goal.kind == GoalKind.UNLOCK and goal.has_reward:
            _tell_backers(session, campaign, goal)


def _tell_backers(session: Session, campaign: Campaign, goal: Goal) -> None:
    """One mail per backing order: the reward is reached from its order page."""
    backers = session.scalars(
        select(Order)
        .join(Backing, Backing.order_id == Order.id)
        .where(Backing.campaign_id == campaign.id, Backing.refunded_at.is_(None))
        .order_by(Order.id)
    ).all()
    for order in backers:
        queue_order_mail(session, order, "goal_unlocked", reward=goal.reward_title, goal=goal)
