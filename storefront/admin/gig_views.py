"""The tour: tours and their gigs, listed, added, edited and removed.

Staff may read the list and the forms; every change is for admins (`access`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from storefront.admin import bp
from storefront.admin.access import staff_allowed, staff_reads
from storefront.admin.gig_forms import GigForm, TourForm
from storefront.admin.helpers import render_form, run_write, write_catalog
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests import admin as services
from storefront.quests.models import Gig, Tour


@bp.get("/tours")
@staff_allowed
def tours():
    """Every tour with its gigs, on each venue's clock."""
    rows = services.tour_rows(db.session, now=utcnow())
    return render_template("admin/tours.html", rows=rows)


@bp.route("/tours/new", methods=["GET", "POST"])
def tour_new():
    """Create a tour (its gigs are added from the list)."""
    form = TourForm()
    tour = _save(form, services.add_tour)
    if tour is not None:
        flash(_("Tour created: now add its gigs."), "success")
        return _back_to(tour)
    return render_form("admin/tour_form.html", form=form, tour=None)


@bp.route("/tours/<int:tour_id>", methods=["GET", "POST"])
@staff_reads
def tour_edit(tour_id: int):
    """Rename a tour or change its artist."""
    tour = db.get_or_404(Tour, tour_id)
    form = TourForm(obj=tour)
    if _save(form, services.update_tour, tour) is not None:
        flash(_("Tour saved."), "success")
        return _back_to(tour)
    return render_form("admin/tour_form.html", form=form, tour=tour)


@bp.post("/tours/<int:tour_id>/delete")
def tour_delete(tour_id: int):
    """Remove a tour with no gig left (its button on the list)."""
    return _remove(services.delete_tour, db.get_or_404(Tour, tour_id), _("Tour removed."))


@bp.route("/tours/<int:tour_id>/gigs/new", methods=["GET", "POST"])
def gig_new(tour_id: int):
    """Add a gig to a tour, its times typed on the venue's clock."""
    tour = db.get_or_404(Tour, tour_id)
    form = GigForm()
    if _save(form, services.add_gig, tour) is not None:
        flash(_("Gig added."), "success")
        return _back_to(tour)
    return render_form("admin/gig_form.html", form=form, tour=tour, gig=None)


@bp.route("/gigs/<int:gig_id>", methods=["GET", "POST"])
@staff_reads
def gig_edit(gig_id: int):
    """Change a gig: where, when on the venue's clock, tickets, notes."""
    gig = db.get_or_404(Gig, gig_id)
    form = GigForm.for_gig(gig)
    if _save(form, services.update_gig, gig) is not None:
        flash(_("Gig saved."), "success")
        return _back_to(gig.tour)
    return render_form("admin/gig_form.html", form=form, tour=gig.tour, gig=gig)


@bp.post("/gigs/<int:gig_id>/delete")
def gig_delete(gig_id: int):
    """Remove a gig nothing depends on (its button on the list)."""
    return _remove(services.delete_gig, db.get_or_404(Gig, gig_id), _("Gig removed."))


def _save(form: TourForm | GigForm, service: Callable[..., Any], *args: Any) -> Any:
    """`service(db.session, *args, fields=...)` once the form is valid; None otherwise
    (a refusal is shown next to its field, all typed text kept)."""
    if not form.validate_on_submit():
        return None
    return write_catalog(form, service, *args, fields=form.to_fields())


def _remove(service: Callable[..., None], row: Tour | Gig, done: str):
    return run_write(service, row, done, url_for("admin.tours"))


def _back_to(tour: Tour):
    return redirect(url_for("admin.tours", _anchor=f"tour-{tour.id}"))
