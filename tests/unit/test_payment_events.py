"""The pure rules of payments: reading a Stripe event, matching a payment to its order."""

import json

import pytest

from storefront.orders.models import Order
from storefront.payments.events import InvalidEvent, StripeEvent, parse_event
from storefront.payments.problems import Payment, payment_mismatch


def session_event(**fields) -> str:
    obj = {
        "id": "cs_1",
        "client_reference_id": None,
        "metadata": {"order_reference": "ref_1"},
        "payment_intent": "pi_1",
        "payment_status": "paid",
        "amount_total": 1390,
        "currency": "eur",
        **fields,
    }
    return json.dumps(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": obj}}
    )


def test_a_session_event_is_read_into_typed_fields():
    assert parse_event(session_event()) == StripeEvent(
        id="evt_1",
        type="checkout.session.completed",
        object_id="cs_1",
        reference="ref_1",
        payment_intent="pi_1",
        payment_status="paid",
        amount_total=1390,
        currency="eur",
    )


def test_an_event_type_the_shop_does_not_handle_keeps_only_its_id_and_type():
    body = json.dumps({"id": "evt_2", "type": "customer.created", "data": {"object": {"a": []}}})
    assert parse_event(body) == StripeEvent(id="evt_2", type="customer.created")


@pytest.mark.parametrize(
    "fields",
    [{"amount_total": True}, {"amount_total": 2**31}, {"currency": "€"}, {"metadata": []}],
    ids=["bool_amount", "amount_past_int32", "currency_symbol", "metadata_list"],
)
def test_one_bad_field_makes_the_whole_event_invalid(fields):
    with pytest.raises(InvalidEvent):
        parse_event(session_event(**fields))


def order(**fields) -> Order:
    return Order(provider="stripe", currency="EUR", total_cents=1390, **fields)


@pytest.mark.parametrize(
    ("payment", "problem"),
    [
        (Payment("stripe", 1390, "eur", "pi_1"), None),
        (Payment("stripe", 1390, "EUR", "pi_1"), None),
        (Payment("stripe", 1, "eur", "pi_1"), "amount_mismatch"),
        (Payment("stripe", None, "eur", "pi_1"), "amount_mismatch"),
        (Payment("stripe", 1390, "usd", "pi_1"), "currency_mismatch"),
        (Payment("stripe", 1390, None, "pi_1"), "currency_mismatch"),
        (Payment("test", 1390, "eur", "pi_1"), "wrong_provider"),
    ],
)
def test_a_payment_settles_an_order_only_for_its_amount_currency_and_provider(payment, problem):
    assert payment_mismatch(order(), payment) == problem
