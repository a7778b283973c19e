import pytest

from storefront.orders.shipping import (
    ParcelItem,
    Zone,
    delivery_window,
    shipping_cents,
    zone_for,
)


@pytest.mark.parametrize(
    ("country", "zone"),
    [("FR", Zone.FRANCE), ("de", Zone.EU), ("US", Zone.WORLD), ("CH", Zone.WORLD)],
)
def test_zone_of_a_country(country, zone):
    assert zone_for(country) is zone


def test_digital_only_ships_free():
    assert shipping_cents([ParcelItem("none", 3)], Zone.WORLD) == 0


def test_heaviest_item_sets_the_base_and_extras_add_up():
    letter_only = shipping_cents([ParcelItem("letter", 1)], Zone.FRANCE)
    with_parcel = shipping_cents([ParcelItem("letter", 1), ParcelItem("parcel", 1)], Zone.FRANCE)
    assert letter_only == 390
    assert with_parcel == 690 + 100


def test_farther_zones_cost_more():
    items = [ParcelItem("parcel", 2)]
    assert (
        shipping_cents(items, Zone.FRANCE)
        < shipping_cents(items, Zone.EU)
        < shipping_cents(items, Zone.WORLD)
    )


def test_delivery_window_includes_dispatch():
    assert delivery_window(Zone.FRANCE) == (4, 6)
