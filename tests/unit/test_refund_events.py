"""Refunds listed in a `charge.refunded` event: read by Stripe's id, every field checked."""

import json

import pytest

from storefront.payments.events import InvalidEvent, StripeRefund, parse_event, refund_list


def charge_event(**charge) -> str:
    obj = {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 900, **charge}
    return json.dumps({"id": "evt_1", "type": "charge.refunded", "data": {"object": obj}})


def listed(*refunds: dict, has_more: bool = False) -> dict:
    return {"object": "list", "data": list(refunds), "has_more": has_more}


def test_the_refunds_of_the_charge_are_read_newest_first():
    refunds = listed(
        {"id": "re_2", "amount": 400, "status": "pending"}, {"id": "re_1", "amount": 500}
    )
    event = parse_event(charge_event(refunds=refunds))
    assert event.refunds == (
        StripeRefund("re_2", 400, "pending"),
        StripeRefund("re_1", 500, None),
    )


def test_an_event_without_the_list_or_with_only_part_of_it_says_so():
    assert parse_event(charge_event()).refunds is None
    partial = listed({"id": "re_1", "amount": 500}, has_more=True)
    assert parse_event(charge_event(refunds=partial)).refunds is None
    assert parse_event(charge_event(refunds=listed())).refunds == ()


def test_other_events_carry_no_refunds():
    body = json.dumps(
        {"id": "evt_2", "type": "customer.created", "data": {"object": {"refunds": "garbage"}}}
    )
    assert parse_event(body).refunds is None


def test_failed_and_canceled_refunds_give_nothing():
    assert StripeRefund("re_1", 1, "succeeded").counts and StripeRefund("re_1", 1, "pending").counts
    assert not StripeRefund("re_1", 1, "failed").counts
    assert not StripeRefund("re_1", 1, "canceled").counts


@pytest.mark.parametrize(
    "refunds",
    [
        [],
        "re_1",
        {"data": None},
        {"data": [{"id": "re_1", "amount": -1}]},
        {"data": [{"id": "re_1", "amount": 2**31}]},
        {"data": [{"id": 1, "amount": 1}]},
        {"data": [{"id": "re_1"}]},
        {"data": [{"id": "re_1", "amount": 1}], "has_more": 1},
        {"data": [None]},
    ],
)
def test_a_malformed_list_makes_the_event_invalid(refunds):
    with pytest.raises(InvalidEvent):
        parse_event(charge_event(refunds=refunds))


def test_a_list_is_bounded():
    items = [{"id": f"re_{n}", "amount": 1} for n in range(100)]
    assert len(refund_list({"data": items})) == 100
    with pytest.raises(InvalidEvent):
        refund_list({"data": [*items, {"id": "re_x", "amount": 1}]})
