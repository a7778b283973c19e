"""The fan CRM: find a fan, read what they did with the label, keep a private note."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.fan_forms import NoteForm
from storefront.admin.helpers import render_form
from storefront.admin.newsletter_forms import ExportForm
from storefront.admin.order_views import STATUS_LABELS
from storefront.clock import utcnow
from storefront.crm.profiles import fan_profile, save_note
from storefront.crm.search import CONSENTED_HEADER, consented_rows, find_fans
from storefront.csvout import csv_download, csv_text
from storefront.extensions import db
from storefront.newsletter.admin import segment_choices
from storefront.newsletter.segments import select_subscribers


@bp.get("/fans")
@staff_allowed
def fans():
    """Fans by email or name: accounts and guest buyers, the latest first."""
    return _fans_page(ExportForm(formdata=None))


@bp.get("/fans/export.csv")
def fans_export():
    """A newsletter segment as CSV, with only the fields given with the consent."""
    form = ExportForm(request.args)
    if not form.offer(segment_choices(db.session)).validate():
        return _fans_page(form), 422
    subscribers = select_subscribers(db.session, form.segment(), utcnow())
    return csv_download(csv_text(CONSENTED_HEADER, consented_rows(subscribers)), "fans.csv")


def _fans_page(export: ExportForm) -> str:
    query = request.args.get("q", "")[:200]
    return render_template(
        "admin/fans.html",
        query=query,
        rows=find_fans(db.session, query),
        export=export.offer(segment_choices(db.session)),
    )


@bp.get("/fans/profile")
@staff_allowed
def fan_profile_page():
    """One fan: orders, spending, membership, stamps, cards, consent and the note."""
    key = request.args.get("key", "")
    return _profile_page(key, NoteForm(key=key))


@bp.post("/fans/profile")
def fan_note():
    """Keep the label's private note about a fan."""
    form = NoteForm()
    if not form.validate_on_submit():
        return _profile_page(form.key.data or "", form)
    save_note(db.session, form.key.data, form.note.data or "")
    flash(_("Note saved."), "success")
    return redirect(url_for("admin.fan_profile_page", key=form.key.data))


def _profile_page(key: str, form: NoteForm):
    profile = fan_profile(db.session, key[:254])
    if profile is None:
        abort(404)
    if not form.is_submitted():
        form.note.data = profile.note
    return render_form("admin/fan.html", profile=profile, form=form, statuses=STATUS_LABELS)
