"""Stripe Billing events through the signed webhook, in every order Stripe may send them:
duplicates, late ones, `updated` before `created`; and what the jobs do after them."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.benefits import benefits_for
from storefront.members.billing import StripeBilling
from storefront.members.lifecycle import from_timestamp
from storefront.members.models import Membership, MembershipState, SubscriptionEvent
from storefront.members.services import expire_memberships, join_tier, reconcile_memberships
from storefront.payments.models import PaymentEvent
from tests.conftest import fresh
from tests.support.accounts import make_fan
from tests.web.test_members_join import make_tier

NOW = int(time.time())
DAY = 86400
GRACE = timedelta(days=7)


@pytest.fixture
def membership():
    """A fan's pending Stripe membership on a tier with 3 seats, one of them taken."""
    member = join_tier(
        db.session,
        tier=make_tier(member_cap=3),
        fan=make_fan(),
        interval="month",
        liner_name="",
        provider="stripe",
        now=utcnow(),
    )
    member.checkout_id = "cs_1"
    db.session.commit()
    return member


def stripe_event(kind: str, obj: dict, *, id: str, created: int) -> dict:
    return {"id": id, "object": "event", "type": kind, "created": created, "data": {"object": obj}}


def subscription(membership, *, status="active", end=NOW + 30 * DAY, cancel=False) -> dict:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "cancel_at_period_end": cancel,
        # Since API 2025-03-31 the period is the item's.
        "items": {"object": "list", "data": [{"id": "si_1", "current_period_end": end}]},
        "metadata": {"membership_id": str(membership.id)},
    }


def invoice(id="in_1") -> dict:
    return {
        "id": id,
        "object": "invoice",
        "customer": "cus_1",
        "parent": {"subscription_details": {"subscription": "sub_1"}},
    }


def completed_session(membership) -> dict:
    return {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": 450,
        "currency": "eur",
        "client_reference_id": f"membership-{membership.id}",
        "subscription": "sub_1",
        "customer": "cus_1",
    }


def sign_up(membership) -> list[dict]:
    return [
        stripe_event(
            "checkout.session.completed", completed_session(membership), id="evt_cs", created=NOW
        ),
        stripe_event(
            "customer.subscription.created", subscription(membership), id="evt_sub", created=NOW
        ),
        stripe_event("invoice.paid", invoice(), id="evt_paid", created=NOW),
    ]


def outcomes(send_webhook, events) -> list[str]:
    replies = [send_webhook(event) for event in events]
    assert [reply.status_code for reply in replies] == [200] * len(replies)
    return [reply.get_json()["outcome"] for reply in replies]


def state_of(membership) -> str:
    return fresh(membership).state


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_sign_up_events_in_any_order_make_an_active_member(send_webhook, membership, order):
    events = sign_up(membership)
    outcomes(send_webhook, [events[i] for i in order])
    member = fresh(membership)
    assert (member.state, member.subscription_id, member.customer_id) == (
        "active",
        "sub_1",
        "cus_1",
    )
    assert member.current_period_end == from_timestamp(NOW + 30 * DAY)
    assert member.holds_seat and member.tier.members == 1
    # The order webhook never saw the subscription's checkout session.
    assert db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 0


def test_a_duplicate_invoice_paid_changes_nothing(send_webhook, membership):
    outcomes(send_webhook, sign_up(membership))
    paid_again = stripe_event("invoice.paid", invoice(), id="evt_paid", created=NOW)
    assert outcomes(send_webhook, [paid_again]) == ["duplicate"]
    assert state_of(membership) == MembershipState.ACTIVE
    assert db.session.scalar(select(func.count()).select_from(SubscriptionEvent)) == 3


def test_a_failed_renewal_keeps_benefits_for_the_grace_and_a_payment_recovers(
    send_webhook, membership
):
    outcomes(send_webhook, sign_up(membership))
    renewal = NOW + 30 * DAY
    failed = [
        stripe_event("invoice.payment_failed", invoice("in_2"), id="evt_fail", created=renewal),
        stripe_event(
            "customer.subscription.updated",
            subscription(membership, status="past_due", end=renewal + 30 * DAY),
            id="evt_past_due",
            created=renewal,
        ),
    ]
    assert outcomes(send_webhook, failed) == ["past_due", "past_due"]
    member = fresh(membership)
    assert member.past_due_since == from_timestamp(renewal)
    inside_grace = from_timestamp(renewal) + GRACE - timedelta(minutes=1)
    assert benefits_for(db.session, member.fan_id, now=inside_grace, grace=GRACE) is not None
    after_grace = from_timestamp(renewal) + GRACE
    assert benefits_for(db.session, member.fan_id, now=after_grace, grace=GRACE) is None

    recovered = stripe_event(
        "invoice.paid", invoice("in_2"), id="evt_paid_2", created=renewal + DAY
    )
    assert outcomes(send_webhook, [recovered]) == ["active"]
    assert fresh(membership).past_due_since is None


def test_canceled_at_period_end_keeps_benefits_until_then_and_the_job_ends_it(
    send_webhook, membership
):
    outcomes(send_webhook, sign_up(membership))
    end = NOW + 30 * DAY
    cancel = stripe_event(
        "customer.subscription.updated",
        subscription(membership, end=end, cancel=True),
        id="evt_cancel",
        created=NOW + DAY,
    )
    assert outcomes(send_webhook, [cancel]) == ["canceled"]
    fan_id = fresh(membership).fan_id
    period_end = from_timestamp(end)
    assert benefits_for(db.session, fan_id, now=period_end - timedelta(hours=1), grace=GRACE)
    options = {"checkout_lifetime": timedelta(hours=1), "test_provider": "test"}
    assert (
        expire_memberships(db.session, now=period_end - timedelta(hours=1), **options)["ended"] == 0
    )
    assert expire_memberships(db.session, now=period_end, **options)["ended"] == 1
    member = fresh(membership)
    assert (member.state, member.holds_seat, member.tier.members) == ("ended", False, 0)
    # Stripe's own deletion, arriving after the job: the seat is not given back twice.
    deleted = stripe_event(
        "customer.subscription.deleted",
        subscription(membership, status="canceled", end=end, cancel=True),
        id="evt_deleted",
        created=end,
    )
    assert outcomes(send_webhook, [deleted]) == ["already_ended"]
    assert fresh(membership).tier.members == 0


def test_updated_before_created_ends_in_the_later_snapshot(send_webhook, membership):
    created = stripe_event(
        "customer.subscription.created", subscription(membership), id="evt_a", created=NOW
    )
    updated = stripe_event(
        "customer.subscription.updated",
        subscription(membership, cancel=True),
        id="evt_b",
        created=NOW + 60,
    )
    paid = stripe_event("invoice.paid", invoice(), id="evt_c", created=NOW)
    outcomes(send_webhook, [updated, paid, created])
    member = fresh(membership)
    assert (member.state, member.cancel_at_period_end) == ("canceled", True)


def test_an_invoice_before_its_subscription_is_known_waits_for_it(send_webhook, membership):
    paid = stripe_event("invoice.paid", invoice(), id="evt_paid", created=NOW)
    assert outcomes(send_webhook, [paid]) == ["stored"]
    assert state_of(membership) == MembershipState.PENDING
    created = stripe_event(
        "customer.subscription.created", subscription(membership), id="evt_sub", created=NOW
    )
    assert outcomes(send_webhook, [created]) == ["active"]


def test_an_expired_subscription_checkout_gives_the_seat_back(send_webhook, membership):
    expired = {**completed_session(membership), "status": "expired", "subscription": None}
    event = stripe_event("checkout.session.expired", expired, id="evt_exp", created=NOW)
    assert outcomes(send_webhook, [event]) == ["checkout_expired"]
    member = fresh(membership)
    assert (member.state, member.holds_seat, member.tier.members) == ("ended", False, 0)
    assert outcomes(send_webhook, [{**event, "id": "evt_exp_2"}]) == ["unchanged"]
    assert fresh(membership).tier.members == 0


def test_a_subscription_event_with_a_bad_field_is_refused(send_webhook, membership):
    bad = stripe_event(
        "customer.subscription.updated",
        {**subscription(membership), "status": "act ive\x00"},
        id="evt_bad",
        created=NOW,
    )
    reply = send_webhook(bad)
    assert (reply.status_code, reply.get_json()["error"]) == (400, "invalid_payload")
    assert db.session.scalar(select(func.count()).select_from(SubscriptionEvent)) == 0


def test_reconcile_applies_a_missed_cancellation_from_stripe(
    app, send_webhook, stripe_http, membership
):
    outcomes(send_webhook, sign_up(membership))
    stripe_http.queue(
        {**subscription(membership, status="canceled", end=NOW - 60), "object": "subscription"}
    )
    with app.test_request_context():
        counts = reconcile(utcnow())
    assert counts == {"applied": 1, "unchanged": 0, "errors": 0}
    assert [r.path for r in stripe_http.requests] == ["/v1/subscriptions/sub_1"]
    member = fresh(membership)
    assert (member.state, member.tier.members) == ("ended", 0)
    # Ended: nothing left to ask Stripe about.
    with app.test_request_context():
        assert reconcile(utcnow())["applied"] == 0
    assert len(stripe_http.requests) == 1


def test_reconcile_leaves_a_subscription_that_stripe_agrees_with_alone(
    app, send_webhook, stripe_http, membership
):
    outcomes(send_webhook, sign_up(membership))
    stripe_http.queue(subscription(membership))
    with app.test_request_context():
        counts = reconcile(utcnow())
    assert counts == {"applied": 0, "unchanged": 1, "errors": 0}
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def reconcile(now):
    return reconcile_memberships(
        db.session, provider=StripeBilling(), now=now, checkout_lifetime=timedelta(hours=1)
    )


def test_reconcile_frees_the_seat_of_a_checkout_that_expired_unheard(app, stripe_http, membership):
    """Stripe's checkout.session.expired never came: once the checkout's lifetime is over,
    reconcile asks Stripe about it and gives the seat back."""
    with app.test_request_context():
        assert reconcile(utcnow()) == {"applied": 0, "unchanged": 0, "errors": 0}  # too early
        stripe_http.queue(
            {**completed_session(membership), "status": "expired", "subscription": None}
        )
        counts = reconcile(utcnow() + timedelta(hours=2))
    assert counts == {"applied": 1, "unchanged": 0, "errors": 0}
    assert [r.path for r in stripe_http.requests] == ["/v1/checkout/sessions/cs_1"]
    member = fresh(membership)
    assert (member.state, member.holds_seat, member.tier.members) == ("ended", False, 0)


def test_reconcile_finds_the_subscription_of_a_checkout_completed_unheard(
    app, stripe_http, membership
):
    """checkout.session.completed never came: reconcile learns the subscription from the
    checkout, then asks Stripe about that subscription like any running one."""
    later = utcnow() + timedelta(hours=2)
    with app.test_request_context():
        stripe_http.queue(completed_session(membership))
        assert reconcile(later)["applied"] == 1
        assert fresh(membership).subscription_id == "sub_1"
        stripe_http.queue(subscription(membership))
        assert reconcile(later + timedelta(minutes=1))["applied"] == 1
    member = fresh(membership)
    assert (member.state, member.tier.members) == ("active", 1)
    assert [r.path for r in stripe_http.requests][-1] == "/v1/subscriptions/sub_1"
