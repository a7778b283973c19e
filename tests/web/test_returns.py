"""Returns from an order's admin page: which units came back, why, restocked (a stock move
of reason "return") or written off, and the refund through the order's own provider
(test payments and Stripe). A unit comes back once, even when two admins send the form
at the same moment; only admins record returns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.catalog.models import StockMove
from storefront.extensions import db
from storefront.fulfilment.models import Return
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.fulfilment import (
    Admin,
    at_once,
    lines_of,
    order_page,
    paid_cart_order,
    return_data,
    return_form,
    send_parcel,
    send_return,
)
from tests.support.label import history, refund, ship
from tests.support.payments import refund_object, refunds, stock

ADMIN = "admin@bruitblanc.example"


@pytest.fixture
def vinyl(make_product):
    return make_product(price_cents=2400, stock=10, name="LP")


def returns(reference: str) -> list[Return]:
    order = order_by_reference(reference)
    return list(db.session.scalars(select(Return).where(Return.order_id == order.id)))


def moves(product) -> list[tuple[int, str, int | None]]:
    rows = db.session.scalars(select(StockMove).where(StockMove.product_id == product.id))
    return [(move.delta, move.reason, move.order_id) for move in rows]


def shipped_order(client, *items, provider: str = "test", parcel: bool = False) -> str:
    """A paid order of `items`, shipped whole (by the ship action, or as one parcel: staff)."""
    reference = paid_cart_order(*items, provider=provider)
    if parcel:
        units = {line.id: line.quantity for line in lines_of(reference)}
        assert send_parcel(client, reference, units).status_code == 302
    else:
        assert ship(client, reference).status_code == 302
    return reference


def test_a_restocked_return_puts_units_back_and_refunds_what_they_cost(admin, vinyl):
    reference = shipped_order(admin, (vinyl, 3))
    [line] = lines_of(reference)
    before = stock(vinyl)

    response = send_return(admin, reference, {line.id: 2}, note="Corner bent")

    assert response.status_code == 302
    assert stock(vinyl) == before + 2
    assert (2, "return", order_by_reference(reference).id) in moves(vinyl)
    [returned] = returns(reference)
    assert (returned.reason, returned.outcome, returned.refund_cents) == (
        "damaged",
        "restock",
        4800,
    )
    [refund] = refunds(reference)
    assert refund.amount_cents == 4800 and returned.refund_id == refund.id
    assert refund.provider_refund_id.startswith(f"test_re_label-{reference}-return-")
    assert order_by_reference(reference).refunded_cents == 4800
    actor, kind, *_rest, detail = next(row for row in history(reference) if row[1] == "return")
    assert (actor, kind) == (ADMIN, "return")
    assert f"2 × {line.description}" in detail  # noqa: RUF001 - the sign
    assert "Damaged" in detail and "Back in stock" in detail
    page = order_page(admin, reference)
    assert "Returns" in page and "Corner bent" in page
    table = page[page.index('class="admin-table order-history"') :]
    assert f"<td>{ADMIN}</td><td>Return</td>" in table


def test_a_write_off_leaves_the_stock_and_refunds_the_amount_typed(admin, vinyl):
    reference = shipped_order(admin, (vinyl, 1))
    [line] = lines_of(reference)
    before = stock(vinyl)

    send_return(admin, reference, {line.id: 1}, outcome="write_off", amount="10,00")

    assert stock(vinyl) == before
    assert [move for move in moves(vinyl) if move[1] == "return"] == []
    [returned] = returns(reference)
    assert returned.outcome == "write_off" and returned.refund_cents == 1000
    assert [r.amount_cents for r in refunds(reference)] == [1000]


def test_the_default_refund_is_capped_by_what_is_left(admin, vinyl):
    reference = shipped_order(admin, (vinyl, 1))
    [line] = lines_of(reference)
    order = order_by_reference(reference)
    left = 500
    to_refund = order.total_cents - left
    refund(admin, reference, f"{to_refund // 100}.{to_refund % 100:02d}")

    send_return(admin, reference, {line.id: 1})

    assert returns(reference)[0].refund_cents == left
    assert order_by_reference(reference).status == "refunded"


def test_an_amount_above_what_is_left_is_refused(admin, vinyl):
    reference = shipped_order(admin, (vinyl, 1))
    [line] = lines_of(reference)

    response = send_return(admin, reference, {line.id: 1}, amount="500,00")

    assert response.status_code == 422
    assert "is left to refund" in response.get_data(as_text=True)
    assert returns(reference) == [] and refunds(reference) == []
    bad = send_return(admin, reference, {line.id: 1}, amount="douze")
    assert bad.status_code == 422 and "Write the amount in euros" in bad.get_data(as_text=True)


def test_a_unit_comes_back_once_and_only_once_it_left(admin, vinyl, make_product):
    cd = make_product(kind="cd", price_cents=1200, stock=5, name="CD")
    reference = paid_cart_order((vinyl, 2), (cd, 1))
    lp, disc = lines_of(reference, vinyl, cd)
    send_parcel(admin, reference, {lp.id: 1})
    page = order_page(admin, reference)
    assert f"return-line-{lp.id}" in page and f"return-line-{disc.id}" not in page

    early = send_return(admin, reference, {lp.id: 2})
    assert early.status_code == 422 and "1 unit(s) can come back, not 2" in early.get_data(
        as_text=True
    )

    assert send_return(admin, reference, {lp.id: 1}).status_code == 302
    token = csrf_token_from(order_page(admin, reference))
    again = send_return(admin, reference, {lp.id: 1}, form=(token, "y" * 20))
    assert again.status_code == 302  # no unit left to return: no form at all
    assert len(returns(reference)) == 1


def test_the_same_form_sent_twice_records_one_return(admin, vinyl):
    reference = shipped_order(admin, (vinyl, 3))
    [line] = lines_of(reference)
    form = return_form(admin, reference)

    send_return(admin, reference, {line.id: 1}, form=form)
    send_return(admin, reference, {line.id: 1}, form=form)

    assert len(returns(reference)) == 1 and len(refunds(reference)) == 1


def test_staff_may_not_record_a_return(staff, vinyl):
    reference = shipped_order(staff, (vinyl, 1), parcel=True)
    [line] = lines_of(reference)
    page = staff.get(f"/admin/orders/{reference}").get_data(as_text=True)
    assert f'action="/admin/orders/{reference}/return"' not in page
    data = return_data(reference, {line.id: 1}, (csrf_token_from(page), "s" * 20))
    assert staff.post(f"/admin/orders/{reference}/return", data=data).status_code == 403


def test_a_stripe_return_refunds_through_stripe(admin, stripe_http, vinyl):
    reference = shipped_order(admin, (vinyl, 2), provider="stripe")
    [line] = lines_of(reference)
    stripe_http.queue(refund_object(payment_intent=f"pi_{reference}", amount=2400, id="re_ret"))
    form = return_form(admin, reference)

    send_return(admin, reference, {line.id: 1}, form=form)

    [request] = stripe_http.requests
    assert (request.path, request.form["amount"]) == ("/v1/refunds", "2400")
    assert request.idempotency_key == f"label-{reference}-return-{form[1]}-2400"
    [refund] = refunds(reference)
    assert refund.provider_refund_id == "re_ret" and returns(reference)[0].refund_id == refund.id


def test_a_stripe_refusal_keeps_nothing_of_the_return(admin, stripe_http, vinyl):
    reference = shipped_order(admin, (vinyl, 1), provider="stripe")
    [line] = lines_of(reference)
    before = stock(vinyl)
    error = {"error": {"type": "invalid_request_error", "message": "Charge already refunded"}}
    stripe_http.queue(error, status=400)

    response = send_return(admin, reference, {line.id: 1})

    assert response.status_code == 422
    assert returns(reference) == [] and refunds(reference) == [] and stock(vinyl) == before


@pytest.mark.slow
def test_four_admins_returning_the_last_unit_at_once_return_it_once(live_server, admin, vinyl):
    reference = shipped_order(admin, (vinyl, 1))
    [line] = lines_of(reference)
    path = f"/admin/orders/{reference}"
    sends = []
    for _ in range(4):
        browser = Admin(live_server)
        browser.sign_in(ADMIN)
        data = return_data(reference, {line.id: 1}, browser.form_data(path, "return"))
        sends.append(lambda b=browser, d=data: b.request(f"{path}/return", d).status)

    statuses = at_once(sends)

    # The first return wins; the others are refused (422) or find no unit left (302).
    assert all(status in (302, 422) for status in statuses)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Return.id))) == 1
    assert len(refunds(reference)) == 1
    assert stock(vinyl) == 10
