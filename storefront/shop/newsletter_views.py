"""The newsletter for fans: sign up (confirmed by a mailed link), choose topics and
city, leave in one click (from the mail's link or the mail client's button)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from storefront.clock import utcnow
from storefront.errors import LinkRefused
from storefront.extensions import csrf, db, limiter
from storefront.newsletter import subscriptions
from storefront.newsletter.links import (
    SignUp,
    address_token,
    read_address_token,
    read_confirm_token,
)
from storefront.newsletter.models import Source, Subscriber
from storefront.shop import bp
from storefront.shop.helpers import locale_code, no_store, signed_in_fan
from storefront.shop.newsletter_forms import (
    FOOTER_TOPICS,
    AccountSubscribeForm,
    PreferencesForm,
    SignUpForm,
)


def _signup_rate_limit() -> str:
    return current_app.config["NEWSLETTER_SIGNUP_RATE_LIMIT"]


@bp.get("/newsletter")
def newsletter():
    """The sign-up page: email, topics, city."""
    return render_template("shop/newsletter.html", form=SignUpForm(formdata=None))


@bp.post("/newsletter")
@limiter.limit(_signup_rate_limit)
def newsletter_signup():
    """Mail a confirmation link; the same answer whether the address is known or not."""
    form = SignUpForm()
    if not form.validate_on_submit():
        return render_template("shop/newsletter.html", form=form), 422
    subscriptions.request_subscription(db.session, form.sign_up(locale_code()), now=utcnow())
    return render_template("shop/newsletter_sent.html", email=form.email.data)


@bp.get("/newsletter/confirm/<token>")
@no_store
def newsletter_confirm(token: str):
    """The mailed link: the consent is recorded, the address now receives mailings."""
    signup = read_confirm_token(token)
    subscriber = subscriptions.confirm_subscription(db.session, signup, now=utcnow())
    return render_template(
        "shop/newsletter_confirmed.html",
        preferences=subscriptions.preferences_url(subscriber.email_key),
    )


@bp.get("/newsletter/unsubscribe/<token>")
@no_store
def newsletter_unsubscribe(token: str):
    """The mail's unsubscribe link: a page with one button (a link alone must not
    unsubscribe: mail scanners open links)."""
    read_address_token(token, purpose="unsubscribe")
    return render_template("shop/newsletter_unsubscribe.html", token=token, done=False)


# Mail clients send RFC 8058's one-click POST ("List-Unsubscribe=One-Click") with no
# CSRF token and no cookie: the signed token in the address is the proof, and all a
# forged request could do is unsubscribe the address the token names.
@csrf.exempt
@bp.post("/newsletter/unsubscribe/<token>")
@no_store
def newsletter_unsubscribe_post(token: str):
    """Unsubscribe the address the link names, at once."""
    email_key = read_address_token(token, purpose="unsubscribe")
    subscriptions.unsubscribe(db.session, email_key, now=utcnow())
    return render_template("shop/newsletter_unsubscribe.html", token=token, done=True)


@bp.route("/newsletter/preferences/<token>", methods=["GET", "POST"])
@no_store
def newsletter_preferences(token: str):
    """The mail's preferences link: topics and city."""
    subscriber = _subscriber_named(token)
    form = PreferencesForm(obj=subscriber)
    if request.method == "POST" and not form.validate_on_submit():
        return _preferences_page(subscriber, form, token), 422
    if request.method == "POST":
        subscriptions.update_preferences(
            db.session, subscriber, topics=form.topics.data, city=form.city.data or ""
        )
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("shop.newsletter_preferences", token=token))
    return _preferences_page(subscriber, form, token)


def _subscriber_named(token: str) -> Subscriber:
    email_key = read_address_token(token, purpose="preferences")
    subscriber = db.session.scalar(db.select(Subscriber).where(Subscriber.email_key == email_key))
    if subscriber is None or subscriber.confirmed_at is None:
        raise LinkRefused(_("This address is not on the newsletter."))
    return subscriber


def _preferences_page(subscriber: Subscriber, form: PreferencesForm, token: str) -> str:
    return render_template(
        "shop/newsletter_preferences.html",
        form=form,
        subscriber=subscriber,
        unsubscribe_token=address_token(subscriber.email_key, purpose="unsubscribe"),
    )


@bp.post("/newsletter/account")
def newsletter_account_subscribe():
    """A signed-in fan joins from /account: their email is proven, no link needed."""
    fan = signed_in_fan()
    if fan is None:
        return redirect(url_for("shop.sign_in", next=url_for("shop.account")))
    if not AccountSubscribeForm().validate_on_submit():
        abort(400)
    signup = SignUp(fan.email, FOOTER_TOPICS, "", locale_code(), Source.ACCOUNT.value)
    subscriptions.subscribe_verified(db.session, signup, now=utcnow())
    flash(_("You are subscribed to the newsletter."), "success")
    return redirect(url_for("shop.account"))
