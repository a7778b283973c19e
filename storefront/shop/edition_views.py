"""Limited editions for fans: the public draw page and the hidden-content cards."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response, current_app, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from storefront.clock import utcnow
from storefront.editions import draw
from storefront.editions.cards import OpenedCard, card_file, card_token, redeem_card
from storefront.editions.models import Edition
from storefront.editions.services import fairness
from storefront.errors import StorefrontError
from storefront.extensions import db, limiter
from storefront.preorders.public import media_kind
from storefront.shop import bp
from storefront.shop.forms import stripped
from storefront.shop.helpers import no_store

# The verifier changes only with a deploy; an hour in caches is harmless.
VERIFIER_MAX_AGE_SECONDS = 3600


class CardForm(FlaskForm):
    code = StringField(
        _l("Code on your card"), filters=[stripped], validators=[InputRequired(), Length(max=64)]
    )
    email = StringField(
        _l("Your email"), filters=[stripped], validators=[InputRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Open my card"))


@bp.get("/editions/<int:edition_id>")
def edition_page(edition_id: int) -> str:
    """An edition's public draw: variants and copies left, commitment, seed, the whole log."""
    edition = db.get_or_404(Edition, edition_id)
    api_path = url_for("api.edition_fairness", edition_id=edition.id)
    return render_template(
        "shop/edition.html",
        edition=edition,
        data=fairness(db.session, edition),
        api_url=current_app.config["PUBLIC_URL"].rstrip("/") + api_path,
    )


@bp.get("/editions/verify.py")
def verifier() -> Response:
    """The verifier fans download and run: the exact bytes of the module the shop draws with."""
    body = _draw_module_bytes()
    response = Response(body, mimetype="text/x-python")
    response.headers["Content-Disposition"] = "attachment; filename=verify.py"
    response.cache_control.public = True
    response.cache_control.max_age = VERIFIER_MAX_AGE_SECONDS
    response.set_etag(hashlib.sha256(body).hexdigest())
    return response.make_conditional(request)


@cache
def _draw_module_bytes() -> bytes:
    # Read once per process: the file changes only with a deploy, which restarts it.
    return Path(draw.__file__).read_bytes()


def _card_rate_limit() -> str:
    return current_app.config["CARD_RATE_LIMIT"]


@bp.route("/cards", methods=["GET", "POST"])
@bp.get("/cards/<code>")
@limiter.limit(
    _card_rate_limit,
    methods=["POST"],
    deduct_when=lambda response: response.status_code >= 400,
    error_message=lambda: _("Too many tries: wait a minute, then type your code again."),
)
def cards(code: str | None = None) -> ResponseReturnValue:
    """Open a hidden-content card with its code and an email (the QR prefills the code)."""
    form = CardForm(code=code)
    if not form.validate_on_submit():
        return render_template("shop/card.html", form=form), 422 if form.is_submitted() else 200
    try:
        opened = redeem_card(db.session, code=form.code.data, email=form.email.data, now=utcnow())
    except StorefrontError as error:
        form.form_errors.append(error.message)
        return render_template("shop/card.html", form=form), error.status
    return _card_page(opened), 200, {"Cache-Control": "no-store"}  # hidden content


def _card_page(opened: OpenedCard) -> str:
    edition = opened.edition
    return render_template(
        "shop/card.html",
        opened=opened,
        edition=edition,
        token=card_token(opened),
        media=media_kind(edition.card_file),
    )


@bp.get("/cards/files/<token>")
@no_store
def card_download(token: str) -> Response:
    """The card's hidden file (audio, video or PDF), for the fan who opened the card."""
    path = card_file(db.session, token)
    download = request.args.get("download") == "1"
    return send_file(path, as_attachment=download, download_name=path.name)
