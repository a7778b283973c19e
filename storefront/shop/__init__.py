"""Fan-facing pages (HTML): catalog, cart and checkout, orders and downloads."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from storefront.shop import (  # noqa: E402, F401
    campaign_views,
    catalog_views,
    checkout_views,
    discount_views,
    edition_views,
    gig_views,
    order_views,
    quest_views,
)
