"""Signing in and out of the admin."""

from __future__ import annotations

import functools
import re
import secrets

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from storefront.accounts.models import Role, User
from storefront.admin import bp
from storefront.admin.access import public, signed_in, staff_allowed, staff_signed_in
from storefront.admin.forms import LoginForm
from storefront.admin.helpers import render_form
from storefront.extensions import db, limiter
from storefront.shop.helpers import safe_next

# Browsers read "/\evil.example" or "/\t/evil.example" as another site: no backslash,
# whitespace or control character in a `next` path.
_PLAIN_PATH = re.compile(r"^/[^\\\s\x00-\x1f\x7f]*$")


@bp.get("/")
@staff_allowed
def index():
    """The admin's front door: the release list."""
    return redirect(url_for("admin.releases"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in with email and password (rate-limited: guessing gets a 429)."""
    if request.method == "GET" and staff_signed_in():
        return redirect(_next_page(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = _user_with(form.email.data, form.password.data)
        if user is not None and login_user(user):
            return redirect(_next_page(form.next.data))
        # One message for an unknown email, a wrong password or a disabled account.
        form.form_errors.append(_("Wrong email or password."))
    return render_form("admin/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    """Sign out everywhere (a POST: CSRFProtect checks the token before this runs)."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("admin.login"))


def _next_page(target: str | None) -> str:
    stand_only = staff_signed_in() and current_user.role == Role.STAND
    default = url_for("stand.home") if stand_only else url_for("admin.index")
    if target and not _PLAIN_PATH.match(target):
        return default
    return safe_next(target, default)


def _user_with(email: str, password: str) -> User | None:
    """The account for these credentials, or None (taking as long either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        # Hash anyway, so the response time does not tell which emails have an account.
        check_password_hash(_decoy_hash(), password)
        return None
    return user if user.check_password(password) else None


@functools.cache
def _decoy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method="scrypt")
