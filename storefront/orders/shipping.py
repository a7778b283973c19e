"""Shipping zones, rates and delivery estimates. Pure rules, free of Flask and the database."""

from dataclasses import dataclass
from enum import StrEnum


class Zone(StrEnum):
    FRANCE = "fr"
    EU = "eu"
    WORLD = "world"


EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# Countries offered at checkout: France, the EU, then the places fans most often write from.
OTHER_COUNTRIES = ("CH", "GB", "NO", "US", "CA", "JP", "AU", "BR", "MX", "KR")
COUNTRIES = ("FR", *sorted(EU_COUNTRIES), *OTHER_COUNTRIES)

# Price of the first physical item, by zone and by the heaviest class in the parcel.
FIRST_ITEM_CENTS = {
    Zone.FRANCE: {"letter": 390, "parcel": 690},
    Zone.EU: {"letter": 690, "parcel": 1290},
    Zone.WORLD: {"letter": 990, "parcel": 1990},
}
EXTRA_ITEM_CENTS = {Zone.FRANCE: 100, Zone.EU: 200, Zone.WORLD: 300}
# Working days between dispatch and the door.
TRANSIT_DAYS = {Zone.FRANCE: (2, 4), Zone.EU: (4, 8), Zone.WORLD: (7, 15)}
DISPATCH_DAYS = 2


@dataclass(frozen=True)
class ParcelItem:
    weight_class: str
    quantity: int


def zone_for(country: str) -> Zone:
    """The shipping zone of an ISO 3166-1 alpha-2 country code."""
    country = country.upper()
    if country == "FR":
        return Zone.FRANCE
    if country in EU_COUNTRIES:
        return Zone.EU
    return Zone.WORLD


def shipping_cents(items: list[ParcelItem], zone: Zone) -> int:
    """What shipping costs for these items; 0 when nothing physical is sent."""
    physical = [item for item in items if item.weight_class != "none" and item.quantity > 0]
    if not physical:
        return 0
    heaviest = "parcel" if any(i.weight_class == "parcel" for i in physical) else "letter"
    units = sum(item.quantity for item in physical)
    return FIRST_ITEM_CENTS[zone][heaviest] + EXTRA_ITEM_CENTS[zone] * (units - 1)


def delivery_window(zone: Zone) -> tuple[int, int]:
    """Working days from the order to the door, once the item is in stock."""
    low, high = TRANSIT_DAYS[zone]
    return low + DISPATCH_DAYS, high + DISPATCH_DAYS
