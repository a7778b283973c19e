"""The label's admin area (HTML): sign-in, the catalog and the orders.

Access is decided in one place, `access.guard`; view modules only mark what staff may see.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from storefront.admin import (  # noqa: E402, F401 - registering the views on bp
    access,
    audit_views,
    auth_views,
    budget_views,
    campaign_views,
    distributor_views,
    edition_views,
    fan_views,
    fulfilment_views,
    gig_views,
    kpi_views,
    nav,
    newsletter_views,
    order_actions,
    order_views,
    pool_views,
    post_views,  # members' posts and liner notes
    product_views,
    quest_views,
    release_views,
    ritual_views,
    stand_admin_views,
    stock_views,
    tier_views,
)
