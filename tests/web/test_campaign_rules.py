"""Campaign rules through the services: counting, bonuses, unlocks, closing, refunds."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.preorders.closing import close_due_campaigns
from storefront.preorders.models import Backing, BonusAward
from storefront.preorders.services import PreorderRefused, paid_units, reserved_units
from tests.conftest import fresh
from tests.support.campaigns import open_order, pay, preorder

LIVE = ("unlock", 3, "live_session", "Live session at Le Sucre")
PRESSING = ("pressing", 2, "none", "Pressing")


def mails(kind):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_only_paid_units_count(make_campaign):
    campaign = make_campaign(goals=[LIVE])
    vinyl = campaign.products[0]
    pending = open_order(vinyl, quantity=2)
    assert (paid_units(db.session, campaign), reserved_units(db.session, campaign)) == (0, 2)
    pay(pending)
    assert (paid_units(db.session, campaign), reserved_units(db.session, campaign)) == (2, 0)


def test_unlock_is_recorded_once_and_every_backer_is_told(make_campaign):
    campaign = make_campaign(goals=[LIVE])
    vinyl = campaign.products[0]
    for email in ("a@x.org", "b@x.org"):
        preorder(vinyl, email=email)
    assert fresh(campaign.goals[0]).reached_at is None
    preorder(vinyl, email="c@x.org")
    assert fresh(campaign.goals[0]).reached_at is not None
    assert sorted(m.recipient for m in mails("goal_unlocked")) == ["a@x.org", "b@x.org", "c@x.org"]
    preorder(vinyl, email="d@x.org")
    assert len(mails("goal_unlocked")) == 3, "later backers get it with their confirmation"


def test_first_n_bonus_numbers_stop_at_n(make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 2)])
    orders = [preorder(campaign.products[0]) for _ in range(3)]
    numbers = [
        db.session.scalar(select(BonusAward.number).where(BonusAward.order_id == o.id))
        for o in orders
    ]
    assert numbers == [1, 2, None]


def test_preorders_before_opening_or_after_closing_are_refused(make_campaign):
    upcoming = make_campaign(opens_in=timedelta(days=2))
    with pytest.raises(PreorderRefused, match="open on"):
        open_order(upcoming.products[0])
    closed = make_campaign(opens_in=timedelta(days=-5), closes_in=timedelta(seconds=-1))
    with pytest.raises(PreorderRefused, match="closed"):
        open_order(closed.products[0])


def test_per_fan_limit_counts_paid_and_held_units(make_campaign):
    campaign = make_campaign(per_fan_limit=2)
    vinyl = campaign.products[0]
    preorder(vinyl, email="fan@x.org")
    open_order(vinyl, email="FAN@x.org")
    with pytest.raises(PreorderRefused, match="limited to 2"):
        open_order(vinyl, email="fan@x.org")
    open_order(vinyl, email="other@x.org")


def test_success_confirms_pressing_and_suggests_a_run(make_campaign):
    campaign = make_campaign(goals=[PRESSING], margin=10, closes_in=timedelta(hours=1))
    preorder(campaign.products[0], quantity=3)
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert close_due_campaigns(db.session, now=utcnow())["succeeded"] == 1
    campaign = fresh(campaign)
    assert (campaign.outcome, campaign.suggested_run) == ("succeeded", 4)  # ceil(3 * 1.1)
    assert len(mails("pressing_confirmed")) == 1


def test_failure_refunds_every_backer_once(make_campaign):
    campaign = make_campaign(
        goals=[("pressing", 10, "none", "Pressing")], closes_in=timedelta(hours=1)
    )
    orders = [preorder(campaign.products[0], email=f"{n}@x.org") for n in range(3)]
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    counts = close_due_campaigns(db.session, now=utcnow())
    assert (counts["failed"], counts["refunded"]) == (1, 3)
    assert all(fresh(order).status == "refunded" for order in orders)
    assert len(mails("order_refunded")) == 3
    again = close_due_campaigns(db.session, now=utcnow())
    assert (again["failed"], again["refunded"]) == (0, 0)
    assert (
        db.session.scalar(select(func.count(Backing.id)).where(Backing.refunded_at.is_(None))) == 0
    )
