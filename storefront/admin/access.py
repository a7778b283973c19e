"""Who may open what in the admin: one guard for the whole blueprint.

Every admin page needs a signed-in account; pages are for admins unless a view is marked
`staff_allowed` (reading) or `public` (the login form). Forgetting a mark is therefore safe.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from storefront.admin import bp
from storefront.admin.uploads import describe_size

PUBLIC, STAFF, ADMIN = "public", "staff", "admin"
_ACCESS = "admin_access"


def public(view: Callable) -> Callable:
    """Mark a view anyone may open (the login form)."""
    setattr(view, _ACCESS, PUBLIC)
    return view


def staff_allowed(view: Callable) -> Callable:
    """Mark a view staff accounts may open too (lists, orders)."""
    setattr(view, _ACCESS, STAFF)
    return view


@bp.context_processor
def _staff_member() -> dict:
    # Only admin pages know who is signed in: fan pages never load a user.
    return {"current_user": current_user}


@bp.before_request
def guard():
    """Sign in first; then admins may do everything, staff only what is marked for them."""
    view = current_app.view_functions.get(request.endpoint or "")
    access = getattr(view, _ACCESS, ADMIN)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        flash(_("Please sign in to continue."), "info")
        here = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=here))
    if access == ADMIN and not current_user.is_admin:
        abort(403)
    return None


@bp.after_request
def _private(response):
    # Admin pages show customers' addresses: never keep them in a shared or browser cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _error_page(error: HTTPException, title: str, message: str):
    page = render_template("admin/error.html", code=error.code, title=title, message=message)
    return page, error.code


@bp.errorhandler(403)
def _forbidden(error: HTTPException):
    message = _(
        "Your staff account can read the lists and the orders; only an admin can change the "
        "catalog. Ask an admin if you need this page."
    )
    return _error_page(error, _("Admins only"), message)


@bp.errorhandler(413)
def _too_large(error: HTTPException):
    limit = describe_size(request.max_content_length or 0)
    message = _("The files sent are too large: at most %(size)s in all.", size=limit)
    return _error_page(error, _("Too large"), message)


@bp.errorhandler(429)
def _too_many(error: HTTPException):
    return _error_page(error, _("Too many attempts"), _("Too many attempts, wait a minute."))
