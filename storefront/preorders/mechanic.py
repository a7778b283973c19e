"""Preorders as an orders mechanic: windows and per-fan limits at checkout, backings on
payment and refund, and what an order or a cart shows of its preorders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.orders.mechanics import LineFacts, Link, Mechanic, OrderFacts, Section
from storefront.orders.models import Order
from storefront.preorders.backing import record_backing, release_backing
from storefront.preorders.models import Backing, BonusAward, Campaign, CampaignState
from storefront.preorders.rewards import reward_token
from storefront.preorders.services import (
    campaigns_by_product,
    check_fan_limits,
    check_preorder_lines,
    preorder_lines,
)


class PreordersMechanic(Mechanic):
    name = "preorders"

    def check_cart(self, session: Session, *, lines: Sequence, email: str, now: datetime) -> None:
        check_preorder_lines(session, lines=list(lines), now=now)

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        check_fan_limits(session, order=order)

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        record_backing(session, order, now=now)

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        release_backing(session, order, now=now)

    def cart_facts(self, session: Session, lines: Sequence, *, now: datetime) -> dict:
        campaigns = campaigns_by_product(session, {line.product_id for line in lines})
        return {
            line.key: LineFacts(notes=[_ships_on(campaign)], ships_on=campaign.ships_on)
            for campaign, grouped in preorder_lines(campaigns, lines, now).items()
            for line in grouped
        }

    def order_facts(self, session: Session, order: Order, facts: OrderFacts) -> None:
        campaigns = campaigns_by_product(session, {line.product_id for line in order.lines})
        for campaign, lines in preorder_lines(campaigns, order.lines, order.created_at).items():
            failed = campaign.outcome == CampaignState.FAILED
            for line in lines:
                line_facts = facts.line(line.id)
                if failed:
                    line_facts.notes.append(_missed())
                else:
                    line_facts.notes.append(_ships_on(campaign))
                    line_facts.ships_on = campaign.ships_on
            facts.sections.append(_section(session, order, campaign, failed))


def ships_on_note(ships_on: date) -> str:
    """The note every screen and mail puts under a preorder line."""
    return _("Preorder — ships on %(date)s", date=format_date(ships_on, "long"))


def _ships_on(campaign: Campaign) -> str:
    return ships_on_note(campaign.ships_on)


def _missed() -> str:
    return _("Pressing goal missed: every backer was refunded")


def _section(session: Session, order: Order, campaign: Campaign, failed: bool) -> Section:
    """The campaign as this order sees it: its date, bonuses, rewards."""
    section = Section(_("Preorder of %(release)s", release=campaign.release.title), css="preorder")
    section.items.append(_missed() if failed else _ships_on(campaign))
    backing = session.scalar(
        select(Backing).where(Backing.campaign_id == campaign.id, Backing.order_id == order.id)
    )
    if backing is None or backing.refunded_at is not None:
        if backing is None and order.paid_at is None:
            section.hints.append(_("Your preorder counts towards the goals once it is paid."))
        return section
    section.items.extend(_bonus_lines(session, order, campaign))
    for goal in campaign.goals:
        if not goal.has_reward:
            continue
        if goal.reached_at:
            url = url_for("shop.reward", token=reward_token(order, goal))
            section.links.append(Link(goal.reward_title, url, note=_("unlocked")))
        else:
            section.items.append(
                goal.reward_title
                + " — "
                + ngettext(
                    "locked — unlocks at %(num)d preorder",
                    "locked — unlocks at %(num)d preorders",
                    goal.threshold,
                )
            )
    return section


def _bonus_lines(session: Session, order: Order, campaign: Campaign) -> list[str]:
    numbers = dict(
        session.execute(
            select(BonusAward.bonus_id, BonusAward.number).where(BonusAward.order_id == order.id)
        ).all()
    )
    lines = []
    for bonus in campaign.bonuses:
        number = numbers.get(bonus.id)
        if number:
            lines.append(
                _(
                    "%(bonus)s: yes, No. %(number)d/%(size)d",
                    bonus=bonus.title,
                    number=number,
                    size=bonus.size,
                )
            )
        else:
            lines.append(
                ngettext(
                    "%(bonus)s: no (the only one is gone)",
                    "%(bonus)s: no (the first %(num)d are gone)",
                    bonus.size,
                    bonus=bonus.title,
                )
            )
    return lines
