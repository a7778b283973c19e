"""The weekly ritual page: last week's six checks by default, any week on request."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, render_template, request
from flask_babel import gettext as _

from storefront.admin import bp
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.ritual.weekly import last_week, week_of, weekly_ritual


@bp.get("/ritual")
def ritual():
    """What changed, what is red and where to act, check by check, for one week."""
    now = utcnow()
    week = last_week(now.date())
    if typed := request.args.get("week", ""):
        try:
            week = week_of(date.fromisoformat(typed))
        except ValueError:
            flash(_("Write the week as a date, YYYY-MM-DD: showing last week."), "error")
    return render_template(
        "admin/ritual.html",
        ritual=weekly_ritual(db.session, week=week, now=now),
        previous=week.start - timedelta(days=7),
        following=week.start + timedelta(days=7) if week.end < now.date() else None,
    )
