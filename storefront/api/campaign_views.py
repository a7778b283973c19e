"""Public JSON about preorder campaigns: read by the release page, the widget, band sites."""

from __future__ import annotations

from flask import Response, jsonify

from storefront.api.views import bp
from storefront.catalog.services import release_by_slug
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.inserts.fairness import campaign_json
from storefront.jsonout import public_response


@bp.get("/api/v1/releases/<slug>/campaign")
def release_campaign(slug: str) -> tuple[Response, int]:
    """A release's campaign: state, paid units, goals, dates, insert pools; any origin."""
    release = release_by_slug(db.session, slug)
    data = campaign_json(db.session, release, now=utcnow()) if release else None
    if data is None:
        message = "No preorder campaign for this release."
        return public_response(jsonify(error="not_found", message=message)), 404
    return public_response(jsonify(data)), 200
