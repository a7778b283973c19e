"""What a release page offers for each of its products, decided once here: stock, the
preorder note, whether it can go in the cart (or when preorders open), its edition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.catalog.services import stock_state
from storefront.editions.public import EditionSummary, release_editions
from storefront.orders.stock import lapsed_units
from storefront.preorders.mechanic import ships_on_note
from storefront.preorders.models import CampaignState
from storefront.preorders.public import CampaignSummary


class Sale(StrEnum):
    CART = "cart"  # the add-to-cart form
    OPENS_LATER = "opens_later"  # a preorder not open yet
    CLOSED = "closed"  # a preorder window that has ended
    SOLD_OUT = "sold_out"


@dataclass(frozen=True)
class Offer:
    product: Product
    stock: str  # "available" | "low" | "sold_out"
    left: int | None
    preorder_note: str | None  # "Preorder — ships on 12 March 2027"
    shows_delivery: bool  # a regular sale of something sent: delivery times are shown
    sale: Sale
    edition: EditionSummary | None


def release_offers(
    session: Session, release: Release, campaign: CampaignSummary | None, *, now: datetime
) -> list[Offer]:
    """The release's active products as its page offers them at `now`."""
    products = [product for product in release.products if product.active]
    # Reservations that ran out count as on sale again (the sweeper gives them back).
    lapsed = lapsed_units(session, {product.id for product in products}, now=now)
    editions = release_editions(session, release)
    offers = []
    for product in products:
        units = product.units_left
        state, left = stock_state(None if units is None else units + lapsed.get(product.id, 0))
        preorder = _in_campaign(campaign, product)
        offers.append(
            Offer(
                product=product,
                stock=state,
                left=left,
                preorder_note=_note(campaign) if preorder else None,
                shows_delivery=not preorder and product.is_physical and state != "sold_out",
                sale=_sale(campaign if preorder else None, state),
                edition=editions.get(product.id),
            )
        )
    return offers


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
