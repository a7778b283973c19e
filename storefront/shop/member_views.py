"""Supporter memberships for fans: the tiers, joining one, managing it, and the TEST
billing page that plays Stripe's part when test payments are on."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.errors import PaymentError, SoldOut
from storefront.extensions import db
from storefront.fans.models import Fan
from storefront.members.account import membership_of
from storefront.members.billing import billing_provider
from storefront.members.display import standing_view, tier_views
from storefront.members.models import Interval, Membership, Tier
from storefront.members.services import JoinRefused, end_membership, holding, join_tier
from storefront.members.simulation import LABELS, TestAction, available_actions, simulate
from storefront.payments.provider import ReturnUrls
from storefront.shop import bp
from storefront.shop.helpers import no_store, signed_in_fan
from storefront.shop.member_forms import JoinForm, ManageForm, TestBillingForm


def _grace() -> timedelta:
    return timedelta(days=current_app.config["MEMBERSHIP_GRACE_DAYS"])


def _public(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def _page(form: JoinForm | None = None, status: int = 200):
    fan = signed_in_fan()
    return render_template(
        "shop/members.html",
        tiers=tier_views(db.session, active_only=True),
        current=membership_of(db.session, fan, now=utcnow(), grace=_grace()),
        fan=fan,
        form=form or JoinForm(),
        manage_form=ManageForm(),
    ), status


@bp.get("/members")
@no_store
def members():
    """The tiers fans may join: prices, benefits, seats left; the fan's own membership."""
    return _page()


@bp.post("/members/<slug>/join")
def member_join(slug: str):
    """Take a seat on the tier and send the fan to the billing provider."""
    fan = signed_in_fan()
    if fan is None:
        flash(_("Sign in first: a membership belongs to your account."), "info")
        return redirect(url_for("shop.sign_in", next=url_for("shop.members")))
    tier = db.one_or_404(select(Tier).where(Tier.slug == slug, Tier.active.is_(True)))
    form = JoinForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        membership = join_tier(
            db.session,
            tier=tier,
            fan=fan,
            interval=Interval(form.interval.data),
            liner_name=form.liner_name.data or "",
            provider=billing_provider().name,
            now=utcnow(),
        )
    except (SoldOut, JoinRefused) as refused:
        flash(refused.message, "error")
        return _page(form, refused.status)
    return _to_billing(membership, fan)


def _to_billing(membership: Membership, fan: Fan):
    """To the provider's sign-up page; if it cannot open one, the seat is given back."""
    urls = ReturnUrls(success=_public("shop.member_welcome"), cancel=_public("shop.members"))
    now = utcnow()
    try:
        target = billing_provider(membership.provider).start(
            membership, urls=urls, email=fan.email, now=now
        )
    except PaymentError as error:
        end_membership(db.session, membership, now=now)
        db.session.commit()
        flash(error.message, "error")
        return redirect(url_for("shop.members"))
    db.session.commit()
    return redirect(target)


@bp.get("/members/welcome")
def member_welcome():
    """Back from the sign-up: the confirmation may still be on its way."""
    flash(
        _("Thank you for your support! Your membership starts once the payment is confirmed."),
        "success",
    )
    return redirect(url_for("shop.members"))


@bp.post("/members/manage")
def member_manage():
    """To the billing provider's page where the fan manages or cancels the membership."""
    fan = signed_in_fan()
    membership = holding(db.session, fan.id, now=utcnow()) if fan else None
    if membership is None or not ManageForm().validate_on_submit():
        return redirect(url_for("shop.members"))
    try:
        target = billing_provider(membership.provider).manage_url(
            membership, return_url=_public("shop.members")
        )
    except PaymentError as error:
        flash(error.message, "error")
        return redirect(url_for("shop.members"))
    return redirect(target)


@bp.route("/members/test/<token>", methods=["GET", "POST"])
@no_store
def member_test(token: str):
    """The TEST billing page: each button sends what Stripe would, through the same
    state machine as Stripe's webhooks."""
    if not current_app.config["TEST_PAYMENTS"]:
        abort(404)
    membership = db.one_or_404(
        select(Membership).where(Membership.checkout_id == token, Membership.provider == "test")
    )
    form = TestBillingForm()
    actions = available_actions(membership)
    if form.validate_on_submit() and TestAction(form.action.data) in actions:
        simulate(db.session, membership, TestAction(form.action.data), now=utcnow())
        return redirect(url_for("shop.member_test", token=token))
    standing = standing_view(membership, now=utcnow(), grace=_grace())
    buttons = [(action, LABELS[action]) for action in actions]
    return render_template(
        "shop/member_test.html",
        membership=membership,
        standing=standing,
        buttons=buttons,
        form=form,
    )
