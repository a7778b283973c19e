"""The audit log: everything done in the admin, searchable (admins only)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template, request

from storefront.admin import bp
from storefront.admin.audit_forms import AuditSearchForm
from storefront.audit.search import AuditFilter, audit_query, audited_targets
from storefront.clock import day_start
from storefront.extensions import db
from storefront.ids import parse_id

PER_PAGE = 50


@bp.get("/audit")
def audit():
    """Who did what, when, with the values before and after; newest first."""
    form = AuditSearchForm(request.args).offer(audited_targets(db.session))
    valid = form.validate() if request.args else True
    number = request.args.get("page", 1, type=parse_id)
    page = db.paginate(
        audit_query(_filter(form) if valid else AuditFilter()),
        page=number,
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("admin/audit.html", form=form, page=page), 200 if valid else 422


def _filter(form: AuditSearchForm) -> AuditFilter:
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    until = form.until.data
    return AuditFilter(
        actor=form.actor.data or "",
        target=form.target.data or "",
        words=form.words.data or "",
        since=day_start(form.since.data, zone) if form.since.data else None,
        until=day_start(until + timedelta(days=1), zone) if until else None,
    )
