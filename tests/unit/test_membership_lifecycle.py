"""The membership state machine, on its own: facts in, a standing out, whatever the order."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from storefront.members.lifecycle import (
    INVOICE_FAILED,
    INVOICE_PAID,
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    Fact,
    MembershipState,
    standing,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MONTH = timedelta(days=30)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def snapshot(id, kind, second, status="active", *, end=T0 + MONTH, cancel=False) -> Fact:
    return Fact(id, kind, at(second), status, end, cancel)


def invoice(id, kind, second) -> Fact:
    return Fact(id, kind, at(second))


SIGN_UP = [snapshot("e1", SUBSCRIPTION_CREATED, 0), invoice("e2", INVOICE_PAID, 0)]


def test_no_fact_leaves_the_membership_pending():
    assert standing([]).state == MembershipState.PENDING


def test_a_paid_subscription_is_active_until_its_period_end():
    result = standing(SIGN_UP)
    assert (result.state, result.current_period_end, result.started_at) == (
        MembershipState.ACTIVE,
        T0 + MONTH,
        T0,
    )


def test_a_failed_renewal_is_past_due_from_the_first_failure_and_a_payment_recovers():
    failing = [
        *SIGN_UP,
        invoice("e3", INVOICE_FAILED, 100),
        snapshot("e4", SUBSCRIPTION_UPDATED, 100, "past_due", end=T0 + 2 * MONTH),
        invoice("e5", INVOICE_FAILED, 200),  # a retry fails too: the grace still counts from 100
    ]
    result = standing(failing)
    assert (result.state, result.past_due_since) == (MembershipState.PAST_DUE, at(100))
    recovered = standing([*failing, invoice("e6", INVOICE_PAID, 300)])
    assert (recovered.state, recovered.past_due_since) == (MembershipState.ACTIVE, None)


def test_canceling_at_period_end_keeps_the_period_then_deletion_at_its_end_ends_it():
    canceled = [*SIGN_UP, snapshot("e3", SUBSCRIPTION_UPDATED, 50, cancel=True)]
    assert standing(canceled).state == MembershipState.CANCELED
    assert standing(canceled).current_period_end == T0 + MONTH
    over = standing([*canceled, snapshot("e4", SUBSCRIPTION_DELETED, 30 * 86400, "canceled")])
    assert (over.state, over.ended_at) == (MembershipState.ENDED, T0 + MONTH)


def test_deleted_mid_period_keeps_the_benefits_until_the_period_ends():
    result = standing([*SIGN_UP, snapshot("e3", SUBSCRIPTION_DELETED, 60, "canceled")])
    assert (result.state, result.current_period_end) == (MembershipState.CANCELED, T0 + MONTH)


def test_inside_one_second_a_failure_comes_before_the_payment_that_recovers_it():
    same_second = [*SIGN_UP, invoice("zz", INVOICE_PAID, 100), invoice("aa", INVOICE_FAILED, 100)]
    assert standing(same_second).state == MembershipState.ACTIVE


def test_a_duplicate_event_id_counts_once():
    failure = invoice("e3", INVOICE_FAILED, 100)
    assert standing([*SIGN_UP, failure, failure]) == standing([*SIGN_UP, failure])


# Every kind of event a subscription's life produces, with timestamps that collide.
_KINDS = st.sampled_from(
    [
        (SUBSCRIPTION_CREATED, "active"),
        (SUBSCRIPTION_UPDATED, "active"),
        (SUBSCRIPTION_UPDATED, "past_due"),
        (SUBSCRIPTION_UPDATED, "unpaid"),
        (SUBSCRIPTION_DELETED, "canceled"),
        (INVOICE_PAID, None),
        (INVOICE_FAILED, None),
    ]
)
_FACT = st.builds(
    lambda kind, second, cancel, months: Fact(
        "",
        kind[0],
        at(second),
        kind[1],
        T0 + months * MONTH if kind[1] else None,
        cancel and kind[1] is not None,
    ),
    _KINDS,
    st.integers(0, 5),
    st.booleans(),
    st.integers(0, 3),
)


@given(
    facts=st.lists(_FACT, min_size=1, max_size=12),
    duplicates=st.lists(st.integers(0, 11), max_size=6),
    seed=st.integers(0, 2**32),
)
def test_the_standing_depends_on_the_set_of_events_not_their_arrival(facts, duplicates, seed):
    numbered = [replace(fact, id=f"evt_{i}") for i, fact in enumerate(facts)]
    ordered = sorted(numbered, key=Fact.sort_key)
    arrived = numbered + [numbered[i % len(numbered)] for i in duplicates]
    random.Random(seed).shuffle(arrived)
    assert standing(arrived) == standing(ordered)
