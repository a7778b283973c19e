"""Fan-facing pages (HTML): catalog, cart and checkout, orders and downloads."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from storefront.shop import (  # noqa: E402, F401
    account_views,
    campaign_views,
    catalog_views,
    checkout_views,
    discount_views,
    edition_views,
    gig_views,
    member_views,
    newsletter_views,
    order_views,
    post_views,  # members' posts and free downloads (storefront.members)
    quest_views,
    waitlist_views,  # a sold-out product's waitlist (storefront.waitlist)
)
