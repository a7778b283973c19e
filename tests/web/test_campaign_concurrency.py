"""Payments that land at the same instant: one unlock, one mail batch, exactly N bonuses.

Each fan pays a pending preorder on the TEST page of a live server, all at once (real
HTTP, real threads); runs on SQLite and, in CI, on PostgreSQL.
"""

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.preorders.models import BonusAward, Goal
from tests.support.campaigns import open_order, preorder
from tests.support.fans import pay_all_at_once

pytestmark = pytest.mark.slow


def test_threshold_crossed_by_concurrent_payments_unlocks_once(live_server, make_campaign):
    campaign = make_campaign(goals=[("unlock", 10, "live_session", "Live session")])
    vinyl = campaign.products[0]
    for n in range(8):
        preorder(vinyl, email=f"early{n}@x.org")
    pending = [open_order(vinyl, email=f"late{n}@x.org").reference for n in range(12)]

    statuses = pay_all_at_once(live_server, pending)

    assert statuses == {302: 12}
    db.session.expire_all()
    goal = db.session.get(Goal, campaign.goals[0].id)
    assert goal.reached_at is not None
    unlocked = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "goal_unlocked")
    ).all()
    assert len(unlocked) == 10, "one batch: the backers at the moment the goal was crossed"
    assert len({m.recipient for m in unlocked}) == 10


def test_first_n_bonus_goes_to_exactly_n_under_concurrency(live_server, make_campaign):
    campaign = make_campaign(bonuses=[("Booklet", 15)])
    vinyl = campaign.products[0]
    pending = [open_order(vinyl, email=f"fan{n}@x.org").reference for n in range(40)]

    pay_all_at_once(live_server, pending)

    db.session.expire_all()
    numbers = db.session.scalars(
        select(BonusAward.number).where(BonusAward.bonus_id == campaign.bonuses[0].id)
    ).all()
    assert sorted(numbers) == list(range(1, 16))
