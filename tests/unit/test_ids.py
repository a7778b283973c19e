import pytest

from storefront.ids import MAX_ID, parse_id, parse_optional_id
from storefront.orders.cart import CartKey


@pytest.mark.parametrize("text, number", [("1", 1), ("0042", 42), (str(MAX_ID), MAX_ID), (7, 7)])
def test_an_id_is_a_number_the_database_holds(text, number):
    assert parse_id(text) == number


@pytest.mark.parametrize(
    "value", ["", "0", "-1", str(MAX_ID + 1), "9" * 30, "²", "\u0661", " 1", "1.0", True, None]
)
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError):
        parse_id(value)


def test_zero_means_no_option():
    assert parse_optional_id("0") is parse_optional_id(0) is None
    assert parse_optional_id("3") == 3


@pytest.mark.parametrize("key", ["5", "5:", ":0", f"{MAX_ID + 1}:0", "1:²", "1:0:0", 5])
def test_a_cart_key_holds_two_ids(key):
    with pytest.raises(ValueError):
        CartKey.decode(key)
