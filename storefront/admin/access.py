"""Who may open what in the admin: one guard for the whole blueprint.

Every admin page needs a signed-in account; pages are for admins unless a view is marked
`staff_allowed` (reading), `staff_reads` (staff may read it, only admins send its forms),
`signed_in` (any account, the stand's too: signing out) or `public` (the login form).
Forgetting a mark is therefore safe. A stand account reaches the stand and nothing else.
Screens ask `may` (the same rule) what to offer, so they never show a form the guard would
refuse.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from storefront.accounts.models import Role
from storefront.admin import bp
from storefront.admin.uploads import describe_size
from storefront.audit.recorder import audit_as
from storefront.extensions import db

PUBLIC, SIGNED_IN, STAFF, STAFF_READS, ADMIN = (
    "public",
    "signed_in",
    "staff",
    "staff_reads",
    "admin",
)
READING = frozenset({"GET", "HEAD"})
_ACCESS = "admin_access"


def public(view: Callable) -> Callable:
    """Mark a view anyone may open (the login form)."""
    setattr(view, _ACCESS, PUBLIC)
    return view


def signed_in(view: Callable) -> Callable:
    """Mark a view every signed-in account may use, a stand account too (signing out)."""
    setattr(view, _ACCESS, SIGNED_IN)
    return view


def staff_allowed(view: Callable) -> Callable:
    """Mark a view staff accounts may open too (lists, orders)."""
    setattr(view, _ACCESS, STAFF)
    return view


def staff_reads(view: Callable) -> Callable:
    """Mark a page staff may read while only admins send its forms (the catalog pages)."""
    setattr(view, _ACCESS, STAFF_READS)
    return view


def staff_signed_in() -> bool:
    """A staff account is signed in (a fan's session opens no staff page)."""
    return current_user.is_authenticated and current_user.is_staff


def may(endpoint: str, method: str = "GET") -> bool:
    """Whether the signed-in account may send `method` to `endpoint` (templates: `may`)."""
    access = _access_of(endpoint)
    if access == PUBLIC:
        return True
    if not staff_signed_in():
        return False
    if access == SIGNED_IN:
        return True
    if current_user.role == Role.STAND:
        return False
    if current_user.is_admin or access == STAFF:
        return True
    return access == STAFF_READS and method in READING


def _access_of(endpoint: str) -> str:
    return getattr(current_app.view_functions.get(endpoint), _ACCESS, ADMIN)


@bp.context_processor
def staff_member() -> dict:
    """Who is signed in, for staff pages (the admin's, the stand's) only: fan pages
    never load a user."""
    return {"current_user": current_user, "may": may}


@bp.before_request
def guard():
    """Sign in first; then admins may do everything, staff only what is marked for them.
    What a staff account's request then changes goes to the audit log under its email."""
    endpoint = request.endpoint or ""
    if _access_of(endpoint) == PUBLIC:
        return None
    if not staff_signed_in():
        return sign_in_first()
    if not may(endpoint, request.method):
        abort(403)
    if request.method not in READING:
        audit_as(db.session, current_user.email)
    return None


def sign_in_first():
    """To the login form, coming back here (a page, not a form's POST) once signed in."""
    flash(_("Please sign in to continue."), "info")
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("admin.login", next=here))


@bp.after_request
def keep_private(response):
    """Staff pages show customers' addresses and takings: never in a shared or browser
    cache, never indexed."""
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
