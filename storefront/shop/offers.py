"""What a release page offers for each of its products, decided once here: stock, the
preorder note, whether it can go in the cart (or when preorders open), its edition, and
for a product with nothing left whether it is sold out or all reserved by checkouts
under way (some may come back: fans may join its waitlist either way)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.catalog.services import stock_state
from storefront.editions.public import EditionSummary, release_editions
from storefront.errors import NotEnoughStock
from storefront.orders.stock import held_units, lapsed_units
from storefront.preorders.mechanic import ships_on_note
from storefront.preorders.models import CampaignState
from storefront.preorders.public import CampaignSummary


class Sale(StrEnum):
    CART = "cart"  # the add-to-cart form
    OPENS_LATER = "opens_later"  # a preorder not open yet
    CLOSED = "closed"  # a preorder window that has ended
    SOLD_OUT = "sold_out"


@dataclass(frozen=True)
class Reserved:
    """No unit is on sale, but `held` are held by checkouts under way: the first
    reservation runs out in `back_in_minutes` unless its fan pays."""

    held: int
    back_in_minutes: int

    @property
    def note(self) -> str:
        held = ngettext(
            "%(num)d held by a checkout under way",
            "%(num)d held by checkouts under way",
            self.held,
        )
        back = ngettext(
            "the first may come back in %(num)d minute",
            "the first may come back in %(num)d minutes",
            self.back_in_minutes,
        )
        return _("All reserved: %(held)s, %(back)s.", held=held, back=back)


@dataclass(frozen=True)
class Offer:
    product: Product
    stock: str  # "available" | "low" | "sold_out"
    left: int | None
    preorder_note: str | None  # "Preorder — ships on 12 March 2027"
    shows_delivery: bool  # a regular sale of something sent: delivery times are shown
    sale: Sale
    edition: EditionSummary | None
    reserved: Reserved | None = None  # sold out now, but units may come back
    waitlist: bool = False  # nothing to buy: the fan may ask to be mailed


def release_offers(
    session: Session, release: Release, campaign: CampaignSummary | None, *, now: datetime
) -> list[Offer]:
    """The release's active products as its page offers them at `now`."""
    products = [product for product in release.products if product.active]
    # Reservations that ran out count as on sale again (the sweeper gives them back).
    lapsed = lapsed_units(session, {product.id for product in products}, now=now)
    editions = release_editions(session, release)
    # Only a product with nothing on sale asks who holds its units (most pages: none).
    empty = {p.id for p in products if p.units_left == 0 and not lapsed.get(p.id)}
    held = held_units(session, empty, now=now)
    offers = []
    for product in products:
        units = product.units_left
        state, left = stock_state(None if units is None else units + lapsed.get(product.id, 0))
        preorder = _in_campaign(campaign, product)
        sale = _sale(campaign if preorder else None, state)
        offers.append(
            Offer(
                product=product,
                stock=state,
                left=left,
                preorder_note=_note(campaign) if preorder else None,
                shows_delivery=not preorder and product.is_physical and state != "sold_out",
                sale=sale,
                edition=editions.get(product.id),
                reserved=_reserved(held.get(product.id), now) if state == "sold_out" else None,
                waitlist=sale == Sale.SOLD_OUT and product.is_physical,
            )
        )
    return offers


def _reserved(held: tuple[int, datetime] | None, now: datetime) -> Reserved | None:
    if held is None:
        return None
    units, first = held
    return Reserved(units, max(1, math.ceil((first - now).total_seconds() / 60)))


def shortage_message(session: Session, shortage: NotEnoughStock, *, now: datetime) -> str:
    """What a checkout refused for want of stock says: the page's "all reserved" note
    when every unit is held by checkouts under way, the shortage's own message otherwise."""
    if shortage.left or shortage.product_id is None:
        return shortage.message
    product_id = shortage.product_id
    held = held_units(session, {product_id}, now=now, option_id=shortage.option_id)
    reserved = _reserved(held.get(product_id), now)
    return f"{shortage.message} {reserved.note}" if reserved else shortage.message


def _in_campaign(campaign: CampaignSummary | None, product: Product) -> bool:
    # Once the pressing is confirmed the product sells as a regular one.
    return (
        campaign is not None
        and product.id in campaign.product_ids
        and campaign.state != CampaignState.SUCCEEDED
    )


def _note(campaign: CampaignSummary) -> str | None:
    return None if campaign.state == CampaignState.FAILED else ships_on_note(campaign.ships_on)


def _sale(campaign: CampaignSummary | None, state: str) -> Sale:
    if campaign is not None and campaign.state == CampaignState.UPCOMING:
        return Sale.OPENS_LATER
    if campaign is not None and not campaign.taking_preorders:
        return Sale.CLOSED
    return Sale.SOLD_OUT if state == "sold_out" else Sale.CART
