"""Wiring shared by every blueprint: error pages, headers, template helpers."""

from __future__ import annotations

from datetime import datetime

from babel import dates as babel_dates
from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_babel import LazyString, force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from storefront.accounts.sessions import session_fingerprint, user_for_session_id
from storefront.errors import StorefrontError
from storefront.extensions import db, login_manager
from storefront.label import label_from
from storefront.money import format_cents

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; form-action 'self' https://checkout.stripe.com; "
    "frame-ancestors 'none'; base-uri 'self'"
)

# Pages show these, not Werkzeug's English names and descriptions ("Not Found", "The
# requested URL was not found..."): one title and one sentence per status code. JSON
# answers keep Werkzeug's name as their machine code.
ERROR_TEXTS: dict[int, tuple[LazyString, LazyString]] = {
    400: (
        _l("Request not understood"),
        _l("The shop could not read what was sent. Go back and try again."),
    ),
    401: (_l("Sign-in needed"), _l("Please sign in to see this page.")),
    403: (_l("Not allowed"), _l("This page is not open to you.")),
    404: (
        _l("Page not found"),
        _l(
            "This page does not exist or no longer does. Check the address, or start again "
            "from the shop."
        ),
    ),
    405: (
        _l("Not possible here"),
        _l("This page cannot be used that way. Go back and try again."),
    ),
    410: (_l("No longer available"), _l("What was here is gone for good.")),
    413: (_l("Too large"), _l("What was sent is too large for the shop to accept.")),
    429: (_l("Too many attempts"), _l("Too many attempts, wait a minute.")),
    500: (
        _l("Something went wrong"),
        _l("The shop stumbled on this page. Please try again in a moment."),
    ),
    503: (
        _l("Briefly unavailable"),
        _l("The shop is briefly unavailable. Please try again in a moment."),
    ),
}
FALLBACK = (_l("Sorry"), _l("The shop could not answer this request."))


def register(app: Flask) -> None:
    """Attach blueprints, error handlers, security headers and template helpers."""
    from storefront.admin.stand_views import stand_bp
    from storefront.admin.views import bp as admin_bp
    from storefront.api.views import bp as api_bp
    from storefront.shop import bp as shop_bp
    from storefront.web_converters import install_converters

    install_converters(app)
    app.register_blueprint(shop_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(stand_bp, url_prefix="/stand")
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(StorefrontError, _domain_error)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()), label=label_from(app.config)
    )
    app.jinja_env.filters["money"] = _money_filter
    app.jinja_env.filters["venuetime"] = _venue_time_filter
    app.jinja_env.filters["venuedate"] = _venue_date_filter
    login_manager.user_loader(lambda session_id: user_for_session_id(db.session, session_id))
    login_manager.login_view = "admin.login"
    # A staff session cookie replayed from another address or browser is dropped.
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = session_fingerprint


def _money_filter(cents: int, currency: str = "EUR") -> str:
    return format_cents(cents, currency, str(get_locale()))


def _venue_time_filter(moment: datetime, style: str = "short") -> str:
    """A time in its own zone (a venue's), not the visitor's: doors at 20:00 in Geneva."""
    return babel_dates.format_time(moment, style, tzinfo=moment.tzinfo, locale=str(get_locale()))


def _venue_date_filter(moment: datetime, style: str = "full") -> str:
    """The date on the venue's calendar (a late gig in Geneva is still that day there)."""
    return babel_dates.format_date(moment.date(), style, locale=str(get_locale()))


def _refuse_nul_bytes():
    # No person types a NUL byte, and PostgreSQL text refuses it: answer 400 up front.
    values = [request.path, *request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description=_l("Invalid characters in the request."))


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    csp = response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # A view opts into being framed (the campaign widget) by sending its own policy with
    # other frame-ancestors; every other page also keeps X-Frame-Options for old browsers.
    if "frame-ancestors" not in csp or "frame-ancestors 'none'" in csp:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SECURE_HEADERS_HSTS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/stripe/", "/healthz"))


def _http_error(error: HTTPException):
    if _wants_json():
        # Scripts read the code; the message stays English whatever the browser asks for.
        with force_locale("en"):
            message = str(error.description)
        code = error.name.lower().replace(" ", "_")
        return jsonify(error=code, message=message), error.code, _retry_after(error)
    title, message = error_text(error)
    page = render_template("error.html", code=error.code, title=title, message=message)
    return page, error.code, _retry_after(error)


def _retry_after(error: HTTPException) -> dict[str, str]:
    """When a refused client may try again: the limit's window, at the most."""
    if isinstance(error, RateLimitExceeded):
        return {"Retry-After": str(error.limit.limit.get_expiry())}
    return {}


def _csrf_error(error: CSRFError):
    message = _("This form had expired. Please try again.")
    return render_template("error.html", code=400, title=_("Form expired"), message=message), 400


def _domain_error(error: StorefrontError):
    if _wants_json():
        return jsonify(error=error.code, message=error.message), error.status
    return render_template(
        "error.html", code=error.status, title=_("Sorry"), message=error.message
    ), error.status


def error_text(error: HTTPException) -> tuple[str, str]:
    """The title and sentence a page shows for `error`, in the page's language: the
    sentence the code gave its `abort` when it gave one, else the table's."""
    title, sentence = ERROR_TEXTS.get(error.code or 500, FALLBACK)
    return str(title), str(_chosen_description(error) or sentence)


def _chosen_description(error: HTTPException) -> str | None:
    # A limit without its own message describes itself as "10 per 1 minute": not a
    # sentence for a person.
    if isinstance(error, RateLimitExceeded) and not error.limit.error_message:
        return None
    if error.description == type(error).description:
        return None  # Werkzeug's own, English
    return error.description
