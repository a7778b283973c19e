"""Releases and their tracks: list, create, edit; tracks are added on the release page."""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from storefront.admin import bp
from storefront.admin.access import staff_allowed, staff_reads
from storefront.admin.forms import KIND_LABELS, ReleaseForm, TrackForm
from storefront.admin.helpers import back_to_release, catalog_changed, render_form, write_catalog
from storefront.admin.uploads import COVER
from storefront.catalog.admin_services import (
    add_track,
    create_release,
    delete_track,
    update_release,
    update_track,
)
from storefront.catalog.models import Product, Release, Track
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.preorders.services import release_campaigns


@bp.get("/releases")
@staff_allowed
def releases():
    """Every release with its number of products, latest release date first."""
    rows = db.session.execute(
        select(Release, func.count(Product.id))
        .outerjoin(Release.products)
        .group_by(Release.id)
        .order_by(Release.release_date.desc(), Release.id.desc())
    ).all()
    return render_template("admin/releases.html", rows=rows)


@bp.route("/releases/new", methods=["GET", "POST"])
def release_new():
    """Create a release; its tracks and products are added on its page next."""
    form = ReleaseForm()
    if form.validate_on_submit():
        files = {"cover_path": (form.cover, COVER)}
        release = write_catalog(form, create_release, fields=form.to_fields(), files=files)
        if release is not None:
            flash(_("Release created: now add its tracks and products."), "success")
            return back_to_release(release.id)
    return render_form("admin/release_new.html", form=form)


@bp.route("/releases/<int:release_id>", methods=["GET", "POST"])
@staff_reads
def release_edit(release_id: int):
    """A release's page: its details, its tracks and its products."""
    release = db.get_or_404(Release, release_id)
    form = ReleaseForm(obj=release)
    if form.validate_on_submit():
        files = {"cover_path": (form.cover, COVER)}
        if write_catalog(form, update_release, release, fields=form.to_fields(), files=files):
            flash(_("Release saved."), "success")
            return back_to_release(release.id)
    return _release_page(release, form=form)


@bp.post("/releases/<int:release_id>/tracks")
def track_add(release_id: int):
    """Add a track with the form at the bottom of the release page."""
    release = db.get_or_404(Release, release_id)
    form = TrackForm()
    if form.validate_on_submit():
        files = form.files()
        if write_catalog(form, add_track, release, fields=form.to_fields(), files=files):
            flash(_("Track added."), "success")
            return back_to_release(release.id, "tracks")
    return _release_page(release, track_form=form)


@bp.route("/tracks/<int:track_id>", methods=["GET", "POST"])
@staff_reads
def track_edit(track_id: int):
    """Change a track: number, title, duration, preview."""
    track = db.get_or_404(Track, track_id)
    form = TrackForm.for_track(track)
    if form.validate_on_submit():
        files = form.files()
        if write_catalog(form, update_track, track, fields=form.to_fields(), files=files):
            flash(_("Track saved."), "success")
            return back_to_release(track.release_id, "tracks")
    return render_form("admin/track_edit.html", form=form, track=track)


@bp.post("/tracks/<int:track_id>/delete")
def track_delete(track_id: int):
    """Remove a track (its button on the release page)."""
    track = db.get_or_404(Track, track_id)
    release_id, title = track.release_id, track.title
    delete_track(db.session, track)
    catalog_changed()
    flash(_("Track “%(title)s” removed.", title=title), "success")
    return back_to_release(release_id, "tracks")


def _release_page(release: Release, *, form=None, track_form=None):
    # The form that was not sent is built without the request's data (formdata=None).
    return render_form(
        "admin/release_edit.html",
        release=release,
        form=form or ReleaseForm(formdata=None, obj=release),
        track_form=track_form or TrackForm.next_for(release),
        kinds=KIND_LABELS,
        release_campaigns=release_campaigns(db.session, release.id, now=utcnow()),
    )
