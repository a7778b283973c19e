"""Every status change goes through the transition table and lands in the order's
history with who made it: the fan, Stripe, a cron job, the shop, an admin."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.services import _move
from storefront.orders.states import OrderStatus
from storefront.payments.services import refund_order
from tests.conftest import order_by_reference
from tests.support.campaigns import open_order
from tests.support.label import history, kinds_by, paid_order
from tests.support.payments import completed, stripe_checkout
from tests.support.shop import add_to_cart, cancel_on_order_page, checkout, pay_test, reference_of

PACKAGE = Path(__file__).resolve().parents[2] / "storefront"
STATUS_ASSIGNMENT = re.compile(r"\.status\s*=(?!=)")


@pytest.fixture
def vinyl(make_product):
    return make_product(price_cents=2400, stock=5)


def test_move_refuses_a_transition_the_table_does_not_have(vinyl):
    order = order_by_reference(paid_order(vinyl, "test"))
    refund_order(db.session, order, reason="changed mind", now=utcnow())
    assert order.status == "refunded"
    before = history(order.reference)

    with pytest.raises(ValueError, match="not in the transition table"):
        _move(db.session, order, OrderStatus.PAID, now=utcnow(), only_from={OrderStatus.REFUNDED})
    assert _move(db.session, order, OrderStatus.PAID, now=utcnow()) is False
    db.session.commit()

    assert order_by_reference(order.reference).status == "refunded"
    assert history(order.reference) == before


def test_no_status_is_assigned_outside_the_transition_table():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STATUS_ASSIGNMENT.search(line)
    ]
    assert offenders == []


def test_the_history_names_the_status_the_move_replaced(vinyl):
    reference = open_order(vinyl).reference
    # Someone else moved the order since it was read: the history says from where.
    order = order_by_reference(reference)
    db.session.execute(update(Order).where(Order.id == order.id).values(status=OrderStatus.EXPIRED))
    assert _move(db.session, order, OrderStatus.PAID, now=utcnow(), actor="shop")
    db.session.commit()
    assert history(reference)[-1][:4] == ("shop", "status", "expired", "paid")


def test_the_fan_checks_out_pays_and_the_shop_mails(client, vinyl):
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client))
    pay_test(client, reference)

    assert [row[:4] for row in history(reference)] == [
        ("fan", "placed", None, "pending"),
        ("fan", "payment", None, None),
        ("fan", "status", "pending", "paid"),
        ("shop", "mail", None, None),
    ]
    assert history(reference)[-1][4].startswith("order_confirmation: Your order")


def test_the_fan_cancels_from_the_order_page(client, vinyl):
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client))
    cancel_on_order_page(client, reference)
    assert history(reference)[-1][:4] == ("fan", "status", "pending", "canceled")


def test_the_sweeper_expires_as_cron(app, vinyl):
    reference = open_order(vinyl).reference
    db.session.execute(
        update(Order)
        .where(Order.reference == reference)
        .values(reserved_until=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["orders", "sweep"])

    assert result.exit_code == 0, result.output
    assert ("cron", "status", "pending", "expired") in [row[:4] for row in history(reference)]
    assert kinds_by(reference, "shop") == ["mail"]  # the expiry notice


def test_stripe_events_are_recorded_after_they_are_applied(
    client, stripe_http, send_webhook, vinyl
):
    reference, session_id = stripe_checkout(client, stripe_http, vinyl)
    event = completed(reference, session_id=session_id, payment_intent="pi_h")

    send_webhook(event)
    send_webhook(event)  # a duplicate changes nothing, and is not written again

    rows = history(reference)
    assert [row[:2] for row in rows[1:]] == [
        ("stripe", "payment"),
        ("stripe", "status"),
        ("shop", "mail"),
        ("stripe", "provider_event"),
    ]
    assert rows[-1][2:] == ("pending", "paid", f"checkout.session.completed {event['id']}: paid")
