"""The admin's menu: each section, the pages that belong to it, and only what the
signed-in account may open (the guard's own rule, `may`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from storefront.admin import bp
from storefront.admin.access import may


@dataclass(frozen=True)
class Section:
    endpoint: str
    label: LazyString
    # The view names (after "admin.") whose pages are this section's, by prefix.
    prefixes: tuple[str, ...]


SECTIONS = (
    Section("admin.dashboard", _l("Dashboard"), ("dashboard",)),
    Section("admin.ritual", _l("Weekly ritual"), ("ritual",)),
    Section("admin.orders", _l("Orders"), ("order",)),
    Section("admin.fulfilment", _l("Fulfilment"), ("fulfilment",)),
    Section("admin.stock_list", _l("Stock"), ("stock", "restock", "distributor")),
    Section("admin.releases", _l("Releases"), ("release", "product", "track", "index")),
    Section("admin.campaigns", _l("Campaigns"), ("campaign", "goal", "bonus")),
    Section("admin.editions", _l("Editions"), ("edition",)),
    Section("admin.tours", _l("Tour"), ("tour", "gig", "badge")),
    Section("admin.fans", _l("Fans"), ("fan",)),
    Section("admin.tiers", _l("Members"), ("tier", "liner")),
    Section("admin.posts", _l("Posts"), ("post",)),
    Section("admin.newsletter", _l("Newsletter"), ("newsletter",)),
    Section("admin.budgets", _l("Budgets"), ("budget", "reserve")),
    Section("admin.audit", _l("Audit log"), ("audit",)),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: LazyString
    current: bool


def nav_links() -> list[NavLink]:
    """The sections this account may open, the one of this page marked current."""
    view = (request.endpoint or "").removeprefix("admin.")
    return [
        NavLink(url_for(section.endpoint), section.label, view.startswith(section.prefixes))
        for section in SECTIONS
        if may(section.endpoint)
    ]


@bp.context_processor
def _navigation() -> dict:
    return {"nav_links": nav_links}
