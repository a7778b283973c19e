"""A fan's account: sign in by magic link, what their email holds, export, deletion.

Buying never needs it; only these pages load the signed-in user."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import login_user, logout_user

from storefront.clock import utcnow
from storefront.extensions import db, limiter
from storefront.fans.account import account_view
from storefront.fans.data import delete_fan, export_fan
from storefront.fans.signin import (
    SignInRefused,
    check_sign_in_link,
    mail_sign_in_link,
    use_sign_in_link,
)
from storefront.orders.fans import fan_key
from storefront.shop import bp
from storefront.shop.account_forms import DeleteAccountForm, SignInForm, SignOutForm, UseLinkForm
from storefront.shop.helpers import no_store, safe_next, signed_in_fan


def _email_limit() -> str:
    return current_app.config["SIGN_IN_EMAIL_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["SIGN_IN_ADDRESS_RATE_LIMIT"]


def _too_many_links() -> str:
    return _("Too many sign-in links asked for: wait a few minutes, then try again.")


@bp.route("/account/sign-in", methods=["GET", "POST"])
@limiter.limit(
    _email_limit,
    methods=["POST"],
    key_func=lambda: "sign-in:" + fan_key(request.form.get("email", "")),
    error_message=_too_many_links,
)
@limiter.limit(
    _address_limit, methods=["POST"], key_func=get_remote_address, error_message=_too_many_links
)
def sign_in():
    """Ask for a sign-in link by email (the answer is the same for any email)."""
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("account/sign_in.html", form=form), status
    mail_sign_in_link(db.session, email=form.email.data, now=utcnow())
    session["sign_in_next"] = safe_next(form.next.data, url_for("shop.account"))
    return redirect(url_for("shop.sign_in_sent"))


@bp.get("/account/sign-in/sent")
def sign_in_sent():
    """Check your mail: the link is on its way (if the address is right)."""
    return render_template("account/sign_in_sent.html")


@bp.route("/account/sign-in/<token>", methods=["GET", "POST"])
@no_store
def sign_in_link(token: str):
    """The mailed link: a button that signs in (a GET changes nothing)."""
    form = UseLinkForm()
    try:
        if not form.validate_on_submit():
            check_sign_in_link(db.session, token, now=utcnow())
            return render_template("account/sign_in_link.html", form=form)
        fan = use_sign_in_link(db.session, token, now=utcnow())
    except SignInRefused as refused:
        page = render_template("account/link_refused.html", message=refused.message)
        return page, refused.status
    login_user(fan)
    flash(_("You are signed in as %(email)s.", email=fan.email), "success")
    return redirect(safe_next(session.pop("sign_in_next", None), url_for("shop.account")))


@bp.post("/account/sign-out")
def sign_out():
    """Sign out, here and in every other browser of this account."""
    fan = signed_in_fan()
    if fan is not None and SignOutForm().validate_on_submit():
        fan.end_sessions()
        db.session.commit()
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("shop.home"))


@bp.get("/account")
@no_store
def account():
    """Orders, downloads, collection, passport, rewards, and the other domains' panels."""
    fan = signed_in_fan()
    if fan is None:
        return redirect(url_for("shop.sign_in", next=url_for("shop.account")))
    view = account_view(db.session, fan, now=utcnow())
    return render_template("account/account.html", view=view, sign_out_form=SignOutForm())


@bp.get("/account/export")
@no_store
def account_export():
    """One JSON file of everything held about the fan."""
    fan = signed_in_fan()
    if fan is None:
        return redirect(url_for("shop.sign_in", next=url_for("shop.account_export")))
    data = export_fan(db.session, fan, current_app.extensions["fan_data"])
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-account.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@no_store
def account_delete():
    """Delete the account: personal data erased, orders kept anonymised, signed out."""
    fan = signed_in_fan()
    if fan is None:
        return redirect(url_for("shop.sign_in", next=url_for("shop.account_delete")))
    form = DeleteAccountForm(account_key=fan.email_key)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("account/delete.html", form=form), status
    delete_fan(db.session, fan, current_app.extensions["fan_data"], now=utcnow())
    logout_user()
    flash(_("Your account and your personal data are deleted."), "success")
    return redirect(url_for("shop.home"))
