import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.money import format_cents, parse_price


def test_formats_euros_for_each_language():
    assert format_cents(1990, "EUR", "fr") == "19,90\xa0€"
    assert format_cents(1990, "EUR", "en") == "€19.90"


def test_refuses_floats():
    with pytest.raises(TypeError):
        format_cents(19.9)


@pytest.mark.parametrize(
    ("text", "cents"), [("24", 2400), ("24,00", 2400), ("24.5", 2450), (" 9,99 € ", 999)]
)
def test_parses_prices_people_type(text, cents):
    assert parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12.345", "-3", "1e3"])
def test_refuses_what_is_not_a_price(text):
    with pytest.raises(ValueError):
        parse_price(text)


@given(st.integers(min_value=0, max_value=10_000_000))
def test_parse_reads_back_what_format_writes(cents):
    assert parse_price(format_cents(cents, "EUR", "fr")) == cents
