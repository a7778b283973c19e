"""What the TEST billing page sends: for each button, the events Stripe would send in
that situation, so the test provider drives the very state machine Stripe drives."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.members.lifecycle import (
    CHECKOUT_COMPLETED,
    INVOICE_FAILED,
    INVOICE_PAID,
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    Fact,
    MembershipState,
)
from storefront.members.models import Interval, Membership, SubscriptionEvent
from storefront.members.services import record_billing_event
from storefront.members.stripe_events import BillingEvent

PERIODS = {Interval.MONTH: timedelta(days=30), Interval.YEAR: timedelta(days=365)}


class TestAction(StrEnum):
    __test__ = False  # not a pytest class, whatever its name

    SIGN_UP = "sign_up"
    RENEW = "renew"
    FAIL = "fail"
    RECOVER = "recover"
    CANCEL = "cancel"
    END = "end"


LABELS = {
    TestAction.SIGN_UP: _l("Sign up (first payment succeeds)"),
    TestAction.RENEW: _l("Renew (next payment succeeds)"),
    TestAction.FAIL: _l("Renewal fails"),
    TestAction.RECOVER: _l("Payment recovered"),
    TestAction.CANCEL: _l("Cancel at the end of the period"),
    TestAction.END: _l("End the subscription now"),
}


def available_actions(membership: Membership) -> list[TestAction]:
    """The buttons that make sense for the membership as it stands."""
    state = membership.state
    if state == MembershipState.PENDING:
        return [TestAction.SIGN_UP]
    if state == MembershipState.ENDED:
        return []
    actions = {
        MembershipState.ACTIVE: [TestAction.RENEW, TestAction.FAIL, TestAction.CANCEL],
        MembershipState.PAST_DUE: [TestAction.RECOVER, TestAction.FAIL, TestAction.CANCEL],
        MembershipState.CANCELED: [],
    }[MembershipState(state)]
    if membership.cancel_at_period_end or state == MembershipState.CANCELED:
        actions = [a for a in actions if a != TestAction.CANCEL]
    return [*actions, TestAction.END]


@dataclass
class _Script:
    membership: Membership
    moment: datetime

    def event(self, kind: str, **snapshot) -> BillingEvent:
        # One second apart, in button order: the fold then sees them as they were sent.
        self.moment += timedelta(seconds=1)
        fact = Fact(
            id=f"test_evt_{secrets.token_hex(8)}", type=kind, created=self.moment, **snapshot
        )
        m = self.membership
        return BillingEvent(
            fact,
            subscription_id=m.subscription_id or f"test_sub_{m.id}",
            customer_id=m.customer_id or f"test_cus_{m.fan_id}",
            membership_id=m.id,
        )

    def snapshot(
        self, kind: str, status: str, *, periods: int = 0, cancel: bool = False
    ) -> BillingEvent:
        period = PERIODS[Interval(self.membership.interval)]
        end = (self.membership.current_period_end or self.moment) + periods * period
        return self.event(kind, status=status, current_period_end=end, cancel_at_period_end=cancel)


def simulated_events(
    membership: Membership, action: TestAction, *, now: datetime, last: datetime | None
) -> list[BillingEvent]:
    """The events Stripe would send for `action`, each after `last` (the newest stored)."""
    script = _Script(membership, max(now, last or now))
    cancel = membership.cancel_at_period_end
    if action is TestAction.SIGN_UP:
        period = PERIODS[Interval(membership.interval)]
        return [
            script.event(CHECKOUT_COMPLETED),
            script.event(
                SUBSCRIPTION_CREATED, status="active", current_period_end=script.moment + period
            ),
            script.event(INVOICE_PAID),
        ]
    if action is TestAction.RENEW:
        return [
            script.event(INVOICE_PAID),
            script.snapshot(SUBSCRIPTION_UPDATED, "active", periods=1),
        ]
    if action is TestAction.FAIL:
        periods = 0 if membership.state == MembershipState.PAST_DUE else 1
        return [
            script.event(INVOICE_FAILED),
            script.snapshot(SUBSCRIPTION_UPDATED, "past_due", periods=periods),
        ]
    if action is TestAction.RECOVER:
        return [
            script.event(INVOICE_PAID),
            script.snapshot(SUBSCRIPTION_UPDATED, "active", cancel=cancel),
        ]
    if action is TestAction.CANCEL:
        status = "past_due" if membership.state == MembershipState.PAST_DUE else "active"
        return [script.snapshot(SUBSCRIPTION_UPDATED, status, cancel=True)]
    # The paid period runs out now, and Stripe deletes the subscription just after.
    return [script.event(SUBSCRIPTION_DELETED, status="canceled", current_period_end=script.moment)]


def simulate(
    session: Session, membership: Membership, action: TestAction, *, now: datetime
) -> None:
    """Record the events of `action` as the webhook records Stripe's (one by one)."""
    last = None
    if membership.subscription_id:
        last = session.scalar(
            select(func.max(SubscriptionEvent.created_at)).where(
                SubscriptionEvent.subscription_id == membership.subscription_id
            )
        )
    for event in simulated_events(membership, action, now=now, last=last):
        record_billing_event(session, event, now=now)
