from hypothesis import given
from hypothesis import strategies as st

from storefront.orders.cart import MAX_QUANTITY, Cart, CartKey


def test_round_trips_through_the_session():
    cart = Cart()
    cart.add(CartKey(3), 2)
    cart.add(CartKey(4, 7), 1)
    assert Cart.from_session(cart.to_session()).quantities == cart.quantities


def test_malformed_session_data_is_dropped_not_fatal():
    cart = Cart.from_session({"x:y": 1, "3:0": "two", "5:0": 2, "bad": None})
    assert cart.quantities == {CartKey(5): 2}
    assert not Cart.from_session("garbage")


@given(st.lists(st.integers(min_value=-5, max_value=30), max_size=20))
def test_quantities_stay_between_one_and_the_maximum(additions):
    cart = Cart()
    for quantity in additions:
        cart.add(CartKey(1), quantity)
    assert all(1 <= q <= MAX_QUANTITY for q in cart.quantities.values())
