"""The tour: every gig, upcoming and past, in each venue's own time."""

from __future__ import annotations

from flask import abort, render_template

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.services import gig_by_id, gig_view, tour_listing
from storefront.shop import bp


@bp.get("/tour")
def tour():
    """Upcoming gigs soonest first, then past ones, grouped by tour."""
    return render_template("shop/tour.html", listing=tour_listing(db.session, now=utcnow()))


@bp.get("/gigs/<int:gig_id>")
def gig(gig_id: int):
    """One gig: where, when (the venue's time and zone), tickets, notes."""
    found = gig_by_id(db.session, gig_id)
    if found is None:
        abort(404)
    return render_template("shop/gig.html", view=gig_view(found, now=utcnow()))
