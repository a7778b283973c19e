"""Closing a campaign: refunds that survive Stripe outages and crashes, late payments, cron."""

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Refund
from storefront.preorders.closing import close_due_campaigns
from tests.conftest import fresh
from tests.support.campaigns import open_order, pay, preorder
from tests.support.payments import refund_object
from tests.support.staff import signed_in

MISSED = ("pressing", 100, "none", "Pressing")


def past_deadline(campaign) -> None:
    """The deadline falls now, after every order placed so far."""
    campaign.closes_at = utcnow()
    db.session.commit()


def later():
    return utcnow() + timedelta(seconds=1)


def refunds_of(order) -> int:
    return db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id))


def test_stripe_outage_mid_run_is_resumed_without_refunding_anyone_twice(
    make_campaign, stripe_http
):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    orders = [
        pay(open_order(campaign.products[0], email=f"{n}@x.org", provider="stripe"))
        for n in range(3)
    ]
    past_deadline(campaign)
    first, second, third = orders
    stripe_http.queue(
        refund_object(payment_intent=f"pi_{first.reference}", amount=first.total_cents, id="re_1")
    )
    stripe_http.queue({"error": {"type": "api_error", "message": "Stripe is down"}}, status=500)
    stripe_http.queue(
        refund_object(payment_intent=f"pi_{third.reference}", amount=third.total_cents, id="re_3")
    )

    counts = close_due_campaigns(db.session, now=later())

    assert (counts["failed"], counts["refunded"], counts["refund_errors"]) == (1, 2, 1)
    assert [fresh(o).status for o in orders] == ["refunded", "paid", "refunded"]
    stripe_http.queue(
        refund_object(payment_intent=f"pi_{second.reference}", amount=second.total_cents, id="re_2")
    )
    again = close_due_campaigns(db.session, now=later())
    assert (again["refunded"], again["refund_errors"]) == (1, 0)
    assert [refunds_of(o) for o in orders] == [1, 1, 1]
    keys = [r.idempotency_key for r in stripe_http.requests]
    assert keys[1] == keys[3], "the retry asks Stripe for the same refund"
    assert len(set(keys)) == 3
    assert close_due_campaigns(db.session, now=later())["refunded"] == 0
    assert len(stripe_http.requests) == 4


def test_crash_after_stripe_refunded_is_recorded_once_on_the_next_run(
    make_campaign, stripe_http, monkeypatch
):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    order = pay(open_order(campaign.products[0], provider="stripe"))
    past_deadline(campaign)
    refund = refund_object(
        payment_intent=f"pi_{order.reference}", amount=order.total_cents, id="re_once"
    )
    stripe_http.queue(refund)
    stripe_http.queue(refund)  # Stripe answers a replayed idempotency key with the same refund

    import storefront.payments.services as payments

    real_record = payments.record_refund

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(payments, "record_refund", crash)
    with pytest.raises(RuntimeError):
        close_due_campaigns(db.session, now=later())
    db.session.rollback()
    monkeypatch.setattr(payments, "record_refund", real_record)
    close_due_campaigns(db.session, now=later())

    assert fresh(order).status == "refunded" and refunds_of(order) == 1
    first, second = stripe_http.requests
    assert first.idempotency_key == second.idempotency_key


def test_payment_arriving_after_a_failed_close_is_refunded_by_the_next_run(make_campaign):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    late = open_order(campaign.products[0])  # placed in time, paid after the deadline
    past_deadline(campaign)
    assert close_due_campaigns(db.session, now=later())["failed"] == 1
    pay(late)
    assert fresh(late).status == "paid"
    assert close_due_campaigns(db.session, now=later())["refunded"] == 1
    assert fresh(late).status == "refunded"


def test_a_payment_after_a_failed_campaign_gets_one_story_on_its_page_and_in_its_mail(
    client, make_campaign
):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    late = open_order(campaign.products[0])
    past_deadline(campaign)
    close_due_campaigns(db.session, now=later())
    pay(late)

    page = client.get(f"/orders/{late.reference}").get_data(as_text=True)
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "order_confirmation")
    ).all()
    staff = signed_in(client, "staff")
    admin_page = staff.get(f"/admin/orders/{late.reference}").get_data(as_text=True)
    missed = "Pressing goal missed: every backer was refunded"
    for told in (page, mail.body, admin_page):
        assert missed in told
        assert "ships on" not in told


def test_the_admin_order_page_tells_what_the_fan_is_told(client, make_campaign):
    campaign = make_campaign(goals=[("unlock", 1, "live", "Live session")])
    order = preorder(campaign.products[0])
    fan_page = client.get(f"/orders/{order.reference}").get_data(as_text=True)
    admin_page = signed_in(client, "staff").get(f"/admin/orders/{order.reference}")
    html = admin_page.get_data(as_text=True)
    ships = f"Preorder — ships on {format_date(campaign.ships_on, 'long', locale='en')}"
    assert ships in fan_page and ships in html
    assert "What the fan sees" in html and "Live session" in html


def test_payment_arriving_after_success_counts_and_stays_paid(make_campaign):
    campaign = make_campaign(
        goals=[("pressing", 1, "none", "Pressing")], closes_in=timedelta(hours=1)
    )
    preorder(campaign.products[0])
    late = open_order(campaign.products[0])
    past_deadline(campaign)
    close_due_campaigns(db.session, now=later())
    pay(late)
    close_due_campaigns(db.session, now=later())
    assert fresh(late).status == "paid"
    assert fresh(campaign).outcome == "succeeded"


def test_close_due_command_is_safe_to_run_every_minute(app, make_campaign):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    order = preorder(campaign.products[0])
    runner = app.test_cli_runner()
    assert "failed=0" in runner.invoke(args=["campaigns", "close-due"]).output
    past_deadline(campaign)
    assert "failed=1 refunded=1" in runner.invoke(args=["campaigns", "close-due"]).output
    assert "failed=0 refunded=0" in runner.invoke(args=["campaigns", "close-due"]).output
    assert refunds_of(order) == 1


def test_mixed_order_gets_only_its_preorder_back(make_campaign, make_product):
    campaign = make_campaign(goals=[MISSED], closes_in=timedelta(hours=1))
    shirt = make_product(kind="merch", price_cents=2200, stock=5, release=campaign.release)
    from storefront.orders.cart import Cart, CartKey, price_cart
    from storefront.orders.checkout import Buyer, start_checkout
    from storefront.orders.shipping import Zone
    from tests.support.campaigns import ADDRESS

    cart = Cart()
    cart.add(CartKey(campaign.products[0].id))
    cart.add(CartKey(shirt.id))
    order = start_checkout(
        db.session,
        cart=price_cart(db.session, cart, Zone.FRANCE),
        buyer=Buyer(email="fan@x.org", **ADDRESS),
        provider="test",
        now=utcnow(),
        reservation_minutes=30,
    )
    pay(order)
    past_deadline(campaign)
    close_due_campaigns(db.session, now=later())
    order = fresh(order)
    assert (order.status, order.refunded_cents) == ("paid", campaign.products[0].price_cents)
