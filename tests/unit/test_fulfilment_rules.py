"""Fulfilment's pure rules: reading a CSV of tracking numbers row by row, and what
returned units are worth (their share of the line, to the cent)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storefront.fulfilment.bulk import Dispatch, RowError, dispatches_from, parse_tracking_csv
from storefront.fulfilment.returns import units_value
from storefront.orders.models import Order, OrderLine


def test_a_good_file_reads_into_dispatches_whatever_the_column_order():
    text = (
        "\ufeffTracking_Number,Reference,Carrier\r\n"
        "6a 1234-5678 901,BB-1,LaPoste\r\n\r\n,BB-2,other\r\n"
    )
    rows, errors = parse_tracking_csv(text)
    assert errors == []
    assert rows == [
        (2, Dispatch("BB-1", "laposte", "6A12345678901")),
        (4, Dispatch("BB-2", "other", None)),
    ]


def test_a_reference_kept_from_a_formula_by_the_export_reads_back():
    rows, errors = parse_tracking_csv("reference,carrier,tracking_number\n'-x1,other,\n")
    assert errors == [] and rows == [(2, Dispatch("-x1", "other", None))]


def test_each_bad_row_is_said_with_its_number():
    text = "\n".join(
        [
            "reference,carrier,tracking_number",
            ",laposte,6A12345678901",
            "BB-1,,6A12345678901",
            "BB-1,pigeon,1234",
            "BB-1,ups,!!",
            "BB-1,dhl,1234567890",
            "BB-1,dhl,1234567890",
            "BB-2",
        ]
    )
    rows, errors = parse_tracking_csv(text)
    assert [number for number, _dispatch in rows] == [6]
    assert errors == [
        RowError(2, "The reference is missing."),
        RowError(3, "The carrier is missing."),
        RowError(4, "“pigeon” is not a carrier the shop knows."),
        RowError(5, "A tracking number is 4 to 40 letters and digits."),
        RowError(7, "Order BB-1 is on row 6 already."),
        RowError(8, "The carrier is missing."),
    ]


def test_a_file_without_the_columns_is_one_error():
    assert parse_tracking_csv("") == (
        [],
        [RowError(1, "Missing columns: reference, carrier, tracking_number.")],
    )
    assert parse_tracking_csv("reference;carrier;tracking_number\nBB-1;dhl;1234")[1][0].row == 1


def test_typed_numbers_name_the_order_they_are_wrong_for():
    dispatches, errors = dispatches_from([("BB-1", "6A12345678901"), ("BB-2", "")], "laposte")
    assert dispatches == [Dispatch("BB-1", "laposte", "6A12345678901")]
    assert errors == ["Order BB-2: The tracking number is missing."]


@given(
    price=st.integers(1, 100_000),
    quantity=st.integers(1, 12),
    discount_share=st.floats(0, 1),
    chunks=st.lists(st.integers(1, 12), max_size=12),
)
def test_returning_every_unit_in_any_chunks_gives_back_the_line_total(
    price, quantity, discount_share, chunks
):
    line = OrderLine(id=1, unit_price_cents=price, quantity=quantity)
    line.discount_cents = int(line.price_cents * discount_share)
    order = Order(lines=[line])
    returned, total = 0, 0
    for chunk in [*chunks, quantity]:
        units = min(chunk, quantity - returned)
        if units <= 0:
            break
        total += units_value(order, {1: returned}, {1: units})
        returned += units
    assert returned == quantity
    assert total == line.total_cents
