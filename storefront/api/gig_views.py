"""Public JSON about the tour, for band sites: the same gigs as /tour."""

from __future__ import annotations

from flask import Response, current_app, jsonify, url_for

from storefront.api.views import bp
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.jsonout import json_time, public_response
from storefront.quests.services import GigView, gig_by_id, gig_view, tour_listing


@bp.get("/api/v1/gigs")
def gigs() -> tuple[Response, int]:
    """Upcoming and past gigs (the same order as /tour); any origin."""
    listing = tour_listing(db.session, now=utcnow())
    data = {
        "upcoming": [_gig_json(view) for group in listing.upcoming for view in group.gigs],
        "past": [_gig_json(view) for group in listing.past for view in group.gigs],
    }
    return public_response(jsonify(data)), 200


@bp.get("/api/v1/gigs/<int:gig_id>")
def gig(gig_id: int) -> tuple[Response, int]:
    found = gig_by_id(db.session, gig_id)
    if found is None:
        message = "No such gig."
        return public_response(jsonify(error="not_found", message=message)), 404
    return public_response(jsonify(_gig_json(gig_view(found, now=utcnow())))), 200


def _gig_json(view: GigView) -> dict:
    gig, times = view.gig, view.times
    return {
        "id": gig.id,
        "tour": view.tour.name,
        "artist": view.tour.artist,
        "city": gig.city,
        "venue": gig.venue,
        "country": gig.country,
        "timezone": gig.timezone,
        "local_date": times.date.isoformat(),
        "doors_local": times.doors.isoformat(timespec="minutes"),
        "doors_at": json_time(gig.doors_at),
        "curfew_at": json_time(gig.curfew_at),
        "over": view.over,
        "ticket_url": gig.ticket_url,
        "url": current_app.config["PUBLIC_URL"] + url_for("shop.gig", gig_id=gig.id),
    }
