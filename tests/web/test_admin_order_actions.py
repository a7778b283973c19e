"""The label acts on an order from its admin page: ship it with a tracking number, cancel
it unpaid, send its confirmation again; staff do all but refunds; all is in its history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from storefront.clock import utcnow
from storefront.editions.services import copies_of_order
from storefront.extensions import db
from storefront.inserts.models import InsertPool
from storefront.orders.models import Order
from tests.conftest import order_by_reference
from tests.support.campaigns import open_order
from tests.support.label import PROVIDERS, act, admin_page, history, kinds_by, paid_order, ship
from tests.support.payments import mails, stock, stripe_checkout
from tests.support.stripe_fakes import checkout_session

ADMIN = "admin@bruitblanc.example"
TRACKING_URL = "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"


@pytest.fixture
def vinyl(make_product):
    return make_product(price_cents=2400, stock=5)


@pytest.fixture(params=PROVIDERS)
def provider(request, stripe_http) -> str:
    """Each test runs for a test-payment order and a Stripe order (fake HTTP layer)."""
    return request.param


# --- ship ---------------------------------------------------------------------------------


def test_shipping_records_the_carrier_tells_the_fan_and_shows_the_link(
    admin, client, vinyl, provider
):
    reference = paid_order(vinyl, provider)

    response = ship(admin, reference, "laposte", " 6a 1234-5678 901 ")

    assert response.status_code == 302
    order = order_by_reference(reference)
    assert (order.status, order.carrier, order.tracking_number) == (
        "shipped",
        "laposte",
        "6A12345678901",
    )
    [mail] = mails("order_shipped")
    assert mail.recipient == order.email and reference in mail.subject
    assert TRACKING_URL in mail.body and "La Poste / Colissimo" in mail.body
    fan_page = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert f'href="{TRACKING_URL}"' in fan_page and "6A12345678901" in fan_page
    assert (ADMIN, "status", "paid", "shipped", "La Poste / Colissimo 6A12345678901") in history(
        reference
    )


def test_the_shipped_mail_reveals_the_sealed_copy_and_the_insert(admin, make_edition):
    edition = make_edition(reveal_mode="sealed")
    db.session.add(
        InsertPool(
            edition_id=edition.id, name="a test pressing", count=edition.size, reveal_at_once=False
        )
    )
    db.session.commit()
    reference = paid_order(edition.product, "test")
    [copy] = copies_of_order(db.session, order_by_reference(reference))
    [confirmation] = mails("order_confirmation")
    assert copy.label not in confirmation.body

    ship(admin, reference, "mondialrelay", "12345678")

    [mail] = mails("order_shipped")
    assert copy.label in mail.body
    assert "In your parcel too: a test pressing!" in mail.body
    url = "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=12345678&CodePostal=69001"
    assert url in mail.body


@pytest.mark.parametrize(
    ("carrier", "tracking", "message"),
    [
        ("laposte", "", "Write the tracking number."),
        ("dhl", "1-2 3", "A tracking number is 4 to 40 letters and digits."),
        ("dhl", "<script>", "A tracking number is 4 to 40 letters and digits."),
        ("pigeon", "12345678", "Not a valid choice"),
    ],
)
def test_a_bad_shipment_is_refused_and_changes_nothing(admin, vinyl, carrier, tracking, message):
    reference = paid_order(vinyl, "test")

    response = ship(admin, reference, carrier, tracking)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    order = order_by_reference(reference)
    assert (order.status, order.carrier, order.shipped_at) == ("paid", None, None)
    assert mails("order_shipped") == []


def test_another_carrier_may_ship_without_a_number(admin, client, vinyl):
    reference = paid_order(vinyl, "test")
    assert ship(admin, reference, "other", "").status_code == 302
    order = order_by_reference(reference)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "other", None)
    assert "Another carrier" in client.get(f"/orders/{reference}").get_data(as_text=True)


def test_only_a_paid_order_with_a_parcel_offers_shipping(admin, make_product, vinyl):
    digital = paid_order(make_product(kind="digital", price_cents=900), "test")
    pending = open_order(vinyl).reference
    for reference in (digital, pending):
        assert "Mark shipped" not in admin_page(admin, reference)
        response = ship(admin, reference)
        assert response.status_code == 302
        assert order_by_reference(reference).status != "shipped"
    assert "it cannot be marked shipped" in admin_page(admin, pending)


# --- cancel -------------------------------------------------------------------------------


def test_cancelling_an_unpaid_test_order_gives_its_stock_back(admin, vinyl):
    reference = open_order(vinyl).reference
    assert stock(vinyl) == 4
    assert "Cancel this unpaid order" in admin_page(admin, reference)

    assert act(admin, reference, "cancel").status_code == 302

    assert order_by_reference(reference).status == "canceled"
    assert stock(vinyl) == 5
    assert (ADMIN, "status", "pending", "canceled", "") in history(reference)
    assert "Cancel this unpaid order" not in admin_page(admin, reference)


def test_cancelling_an_unpaid_stripe_order_expires_its_checkout(app, admin, stripe_http, vinyl):
    reference, session_id = stripe_checkout(app.test_client(), stripe_http, vinyl)
    stripe_http.queue(checkout_session(reference, id=session_id, status="expired"))

    act(admin, reference, "cancel")

    request = stripe_http.requests[-1]
    assert (request.method, request.path) == ("post", f"/v1/checkout/sessions/{session_id}/expire")
    assert order_by_reference(reference).status == "canceled"
    assert stock(vinyl) == 5


def test_a_paid_or_lapsed_order_cannot_be_cancelled(admin, vinyl):
    paid = paid_order(vinyl, "test")
    lapsed = open_order(vinyl).reference
    db.session.execute(
        update(Order)
        .where(Order.reference == lapsed)
        .values(reserved_until=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    for reference, status in ((paid, "paid"), (lapsed, "pending")):
        assert "Cancel this unpaid order" not in admin_page(admin, reference)
        act(admin, reference, "cancel")
        assert order_by_reference(reference).status == status
        assert "is not waiting for payment: it cannot be canceled" in admin_page(admin, reference)


# --- resend the confirmation --------------------------------------------------------------


def test_the_confirmation_is_sent_again_for_a_paid_or_shipped_order(
    admin, vinyl, provider, stripe_http
):
    reference = paid_order(vinyl, provider)
    assert act(admin, reference, "resend").status_code == 302
    ship(admin, reference)
    act(admin, reference, "resend")

    assert len(mails("order_confirmation")) == 3
    assert kinds_by(reference, ADMIN).count("mail") == 2
    assert stripe_http.requests == [], "a mail asks nothing of the provider"


def test_an_unpaid_order_has_no_confirmation_to_send(admin, vinyl):
    reference = open_order(vinyl).reference
    assert "Send the confirmation again" not in admin_page(admin, reference)
    act(admin, reference, "resend")
    assert mails("order_confirmation") == []
    assert "there is no confirmation to send" in admin_page(admin, reference)


# --- who may act --------------------------------------------------------------------------


ACTIONS = {
    "ship": {"ship-carrier": "laposte", "ship-tracking_number": "6A12345678901"},
    "cancel": {},
    "resend": {},
    "refund": {"refund-amount": "5,00", "refund-reason": "x", "refund-submission": "s" * 20},
}


MONEY_ACTIONS = {
    "refund": ACTIONS["refund"],
    "return": {"return-reason": "damaged", "return-outcome": "restock"},
}


def test_staff_ship_cancel_and_resend_but_never_move_money(staff, vinyl):
    paid, pending = paid_order(vinyl, "test"), open_order(vinyl).reference
    page = admin_page(staff, paid)
    assert "History" in page and "fan" in page
    assert f'action="/admin/orders/{paid}/ship"' in page
    assert f'action="/admin/orders/{paid}/resend"' in page
    for action in MONEY_ACTIONS:
        assert f'action="/admin/orders/{paid}/{action}"' not in page
    assert f'action="/admin/orders/{pending}/cancel"' in admin_page(staff, pending)
    before = (history(paid), len(mails()))
    for action, data in MONEY_ACTIONS.items():
        assert act(staff, paid, action, data).status_code == 403, action
    assert (history(paid), len(mails())) == before

    assert act(staff, paid, "ship", ACTIONS["ship"]).status_code == 302
    assert act(staff, pending, "cancel", {}).status_code == 302
    assert (order_by_reference(paid).status, order_by_reference(pending).status) == (
        "shipped",
        "canceled",
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_needs_the_csrf_token(admin, vinyl, action):
    reference = paid_order(vinyl, "test") if action != "cancel" else open_order(vinyl).reference
    before = (order_by_reference(reference).status, history(reference), len(mails()))

    response = admin.post(f"/admin/orders/{reference}/{action}", data=ACTIONS[action])

    assert response.status_code == 400
    assert (order_by_reference(reference).status, history(reference), len(mails())) == before


# --- the history ----------------------------------------------------------------------------


def test_the_page_shows_the_whole_history_newest_last(admin, vinyl):
    reference = paid_order(vinyl, "test")
    ship(admin, reference)

    page = admin_page(admin, reference)
    table = page[page.index('class="admin-table order-history"') :]
    rows = table.split("<tr>")[2:]
    whats = [row.split("<td>")[3].split("</td>")[0] for row in rows]
    assert whats == ["Placed", "Payment", "Status", "Mail", "Status", "Mail"]
    assert "Pending → Paid" in rows[2] and "Paid → Shipped" in rows[4]
    assert ADMIN in rows[4] and "shop" in rows[5] and "fan" in rows[0]
    assert "order_shipped" in rows[5]
