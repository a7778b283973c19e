"""The member discount: physical lines only, shown in the cart, stored on the order,
re-checked at checkout, capped with a code at the floor, never raising the public price."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.catalog.models import Product
from storefront.discounts.services import issue_code
from storefront.extensions import db
from storefront.orders.cart import CartKey, Discount, MemberDiscount, PricedCart, PricedLine
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.accounts import sign_in_as
from tests.support.benefits import end_membership, make_member, make_tier
from tests.support.shop import add_to_cart, checkout, reference_of


def _member_client(client, percent=10):
    tier = make_tier("Gold", discount_percent=percent)
    fan, membership = make_member(tier)
    sign_in_as(client, fan)
    return membership


def test_member_discount_takes_off_physical_lines_only_and_shows_in_cart(client, make_product):
    _member_client(client)
    vinyl = make_product(kind="vinyl", price_cents=2400)
    digital = make_product(release=vinyl.release, kind="digital", price_cents=800)
    add_to_cart(client, vinyl)
    add_to_cart(client, digital)
    page = client.get("/cart").get_data(as_text=True)
    assert "Member discount (Gold)" in page
    assert "\u2212€2.40" in page  # 10 % of the vinyl, nothing off the download
    order = order_by_reference(reference_of(checkout(client, email="ana@example.org")))
    assert order.discount_cents == 240
    assert order.total_cents == 2400 + 800 - 240 + order.shipping_cents
    assert order.discount_label == "Gold (-10 %)"
    by_kind = {line.kind: line.discount_cents for line in order.lines}
    assert by_kind == {"vinyl": 240, "digital": 0}


def test_a_membership_that_ended_gives_no_discount_at_checkout(client, make_product):
    membership = _member_client(client)
    vinyl = make_product(price_cents=2400)
    add_to_cart(client, vinyl)
    assert "Member discount" in client.get("/cart").get_data(as_text=True)
    end_membership(membership)
    assert "Member discount" not in client.get("/cart").get_data(as_text=True)
    order = order_by_reference(reference_of(checkout(client, email="ana@example.org")))
    assert order.discount_cents == 0
    assert order.discount_label is None


def test_with_a_code_the_discounts_stop_at_the_floor(client, make_product):
    _member_client(client, percent=10)
    vinyl = make_product(price_cents=2400)
    code = issue_code(db.session, percent_off=20, source="badge", now=datetime.now(UTC))
    db.session.commit()
    add_to_cart(client, vinyl)
    page = client.get("/cart").get_data(as_text=True)
    client.post("/cart/code", data={"csrf_token": csrf_token_from(page), "code": code.code})
    page = client.get("/cart").get_data(as_text=True)
    assert "\u2212€4.80" in page and "\u2212€1.20" in page  # the code's 20 %, then up to 25 %
    order = order_by_reference(reference_of(checkout(client, email="ana@example.org")))
    assert order.discount_cents == 600  # 2400 costs 1800: 75 % of its public price
    assert order.lines[0].discount_cents == 600
    assert order.discount_label.startswith(code.code)


def test_the_public_price_is_the_same_for_guests_before_and_after_a_tier(client, make_product):
    vinyl = make_product(price_cents=2400)
    add_to_cart(client, vinyl)
    before = client.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)
    cart_before = client.get("/cart").get_data(as_text=True)
    make_member(make_tier("Gold", discount_percent=20), "someone@example.org")
    after = client.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)
    cart_after = client.get("/cart").get_data(as_text=True)
    assert "€24.00" in before and "€24.00" in after
    assert "Member discount" not in cart_after
    assert "€24.00" in cart_before and "€24.00" in cart_after


def test_stand_sales_get_no_member_discount(make_product):
    vinyl = make_product(price_cents=2400)
    line = PricedLine(CartKey(vinyl.id), vinyl, None, 1)
    member = MemberDiscount("Gold", 10)
    assert PricedCart([line], None, member_discount=member).member_discount_cents == 240
    assert PricedCart([line], None, stand_gig_id=1, member_discount=member).discount_cents == 0


@settings(max_examples=60, deadline=None)
@given(
    price=st.integers(0, 100_000),
    quantity=st.integers(1, 10),
    code=st.integers(0, 100),
    member=st.integers(0, 50),
    floor=st.integers(0, 100),
)
def test_discounts_only_subtract_and_respect_the_floor(price, quantity, code, member, floor):
    product = Product(kind="vinyl", name="LP", price_cents=price, weight_class="parcel")
    line = PricedLine(CartKey(1), product, None, quantity)
    cart = PricedCart(
        [line],
        None,
        Discount(1, "K7QD-M2XH", code) if code else None,
        member_discount=MemberDiscount("Gold", member),
        floor_percent=floor,
    )
    code_off, member_off = cart.discounts_of(line)
    assert code_off == line.total_cents * code // 100  # a code keeps its promise
    assert 0 <= member_off <= line.total_cents * member // 100
    if member_off:
        assert line.total_cents - code_off - member_off >= -(-line.total_cents * floor // 100)
    assert 0 <= cart.total_cents - cart.shipping_cents <= line.total_cents
