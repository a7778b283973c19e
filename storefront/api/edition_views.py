"""Public JSON about limited editions: the draw log anyone can replay with verify.py."""

from __future__ import annotations

from flask import Response, jsonify

from storefront.api.views import bp
from storefront.editions.models import Edition
from storefront.extensions import db
from storefront.inserts.fairness import edition_fairness_json
from storefront.jsonout import public_response


@bp.get("/api/v1/editions/<int(max=2147483647):edition_id>/fairness")
def edition_fairness(edition_id: int) -> tuple[Response, int]:
    """Variants and copies left, commitment, seed once revealed, the log, insert pools."""
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        message = "No limited edition with this id."
        return public_response(jsonify(error="not_found", message=message)), 404
    return public_response(jsonify(edition_fairness_json(db.session, edition))), 200
