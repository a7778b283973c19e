"""Quests at gigs: a fan scans the night's QR, gets a stamp and plays the fragment at
once, with no account and no form; their passport keeps the stamps (a signed cookie,
saved by email if they like)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from storefront.clock import utcnow
from storefront.errors import LinkRefused
from storefront.extensions import db, limiter
from storefront.files import private_path
from storefront.quests import claims
from storefront.quests.codes import Timing
from storefront.quests.links import (
    badge_token,
    fragment_token,
    open_badge_file,
    open_fragment,
    read_save_token,
)
from storefront.quests.models import Passport
from storefront.quests.passport import mail_save_link, passport_view, save_passport
from storefront.quests.services import gig_view
from storefront.shop import bp
from storefront.shop.forms import PassportSaveForm
from storefront.shop.helpers import no_store

COOKIE_SALT = "sillon.passport-cookie"


def _cookie_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=COOKIE_SALT)


def passport_key() -> str | None:
    """The passport key in the fan's signed cookie; None when absent or not ours."""
    value = request.cookies.get(current_app.config["PASSPORT_COOKIE"])
    if not value:
        return None
    try:
        key = _cookie_serializer().loads(value)
    except (BadSignature, UnicodeError):
        return None
    return key if isinstance(key, str) else None


def _keep_passport(response: Response, passport: Passport) -> Response:
    config = current_app.config
    response.set_cookie(
        config["PASSPORT_COOKIE"],
        _cookie_serializer().dumps(passport.key),
        max_age=config["PASSPORT_COOKIE_DAYS"] * 24 * 3600,
        secure=config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


def _claim_rate_limit() -> str:
    return current_app.config["QUEST_CLAIM_RATE_LIMIT"]


def _code_rate_limit() -> str:
    return current_app.config["QUEST_CODE_RATE_LIMIT"]


def _wait_message() -> str:
    return _("Wait a moment, then scan again.")


@bp.get("/q/<token>")
@limiter.limit(_claim_rate_limit, error_message=_wait_message)
@limiter.limit(
    _code_rate_limit,
    key_func=lambda: f"quest-code:{request.view_args.get('token', '')}",
    error_message=_wait_message,
)
@no_store
def quest_claim(token: str):
    """Tonight's stamp and fragment; a plain page when the code is not valid or the
    quest is not open."""
    now = utcnow()
    scanned = claims.scan(db.session, secret=current_app.config["SECRET_KEY"], token=token, now=now)
    if scanned.refusal is not None:
        return render_template("quest/invalid.html", reason=scanned.refusal.value), 404
    quest, window = scanned.quest, scanned.window
    view = gig_view(quest.gig, now=now)
    if scanned.timing is not Timing.OPEN:
        zone = view.times.doors.tzinfo
        page = render_template(
            "quest/closed.html",
            view=view,
            opens=window.opens_at.astimezone(zone),
            closes=window.closes_at.astimezone(zone),
            timing=scanned.timing.value,
        )
        return page, 200 if scanned.timing is Timing.NOT_YET else 410
    claim = claims.claim_stamp(db.session, quest=quest, passport_key=passport_key(), now=now)
    page = render_template(
        "quest/claim.html",
        view=view,
        quest=quest,
        claim=claim,
        outcome=claim.outcome.value,
        fragment=fragment_token(claim.stamp) if claim.stamp else None,
        badges=[(grant, badge_token(grant)) for grant in claim.new_badges],
    )
    response = make_response(page)
    if claim.stamp is not None:
        _keep_passport(response, claim.passport)
    return response


@bp.get("/q/fragments/<token>")
@no_store
def quest_fragment(token: str) -> Response:
    """A stamp's fragment file (audio or image), played in the page or downloaded."""
    stamp = open_fragment(db.session, token)
    path = private_path(stamp.quest.fragment_file)
    if path is None:
        abort(404)
    download = request.args.get("download") == "1"
    name = f"{stamp.quest.gig.city} — {stamp.quest.fragment_title}{path.suffix}"
    return send_file(path, as_attachment=download, download_name=name, conditional=True)


@bp.get("/passport/badges/<token>")
@no_store
def badge_file(token: str) -> Response:
    """A badge's file (the bonus track), for the passport that earned it."""
    grant = open_badge_file(db.session, token)
    path = private_path(grant.badge.reward_file)
    if path is None:
        abort(404)
    name = f"{grant.badge.reward_title or grant.badge.name}{path.suffix}"
    return send_file(path, as_attachment=True, download_name=name)


@bp.get("/passport")
@no_store
def passport():
    """The fan's stamps by city and date, each fragment replayable, and the badges."""
    found = claims.passport_by_key(db.session, passport_key())
    return _passport_page(found, PassportSaveForm(formdata=None))


def _passport_page(found: Passport | None, form: PassportSaveForm, status: int = 200):
    view = passport_view(db.session, found)
    links = {item.stamp.id: fragment_token(item.stamp) for item in view.stamps}
    badge_links = {b.grant.id: badge_token(b.grant) for b in view.badges if b.grant}
    page = render_template(
        "quest/passport.html", view=view, links=links, badge_links=badge_links, form=form
    )
    return page, status


def _save_rate_limit() -> str:
    return current_app.config["PASSPORT_SAVE_RATE_LIMIT"]


@bp.post("/passport/save")
@limiter.limit(_save_rate_limit)
@no_store
def passport_save():
    """Mail a link that saves this passport under the fan's email (or joins the one
    saved under it on another phone)."""
    found = claims.passport_by_key(db.session, passport_key())
    form = PassportSaveForm()
    if found is None or not form.validate_on_submit():
        if found is None:
            flash(_("Scan a gig's code first: your passport is empty."), "error")
        return _passport_page(found, form, 422)
    mail_save_link(db.session, found, email=form.email.data)
    flash(
        _("We sent a link to %(email)s: open it to save your passport.", email=form.email.data),
        "success",
    )
    return redirect(url_for("shop.passport"))


@bp.get("/passport/save/<token>")
@no_store
def passport_saved(token: str):
    """The mailed link: the passport is saved under that email, on this phone too."""
    try:
        key, email = read_save_token(token)
    except LinkRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for("shop.passport"))
    kept = save_passport(db.session, key=key, email=email, now=utcnow())
    if kept is None:
        flash(_("This passport no longer exists."), "error")
        return redirect(url_for("shop.passport"))
    flash(_("Your passport is saved under %(email)s.", email=email), "success")
    return _keep_passport(redirect(url_for("shop.passport")), kept)
