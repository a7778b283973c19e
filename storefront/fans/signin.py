"""Signing in by magic link: a signed, single-use link mailed to the email, valid
SIGN_IN_LINK_MINUTES; following it opens (or first creates) the account of that email.

The token names a `SignInLink` row and its email; the row is what makes the link single
use: it is consumed by one conditional UPDATE, so two requests racing with one link open
one session between them.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.errors import LinkRefused
from storefront.fans.models import Fan, SignInLink
from storefront.mail.outbox import enqueue
from storefront.orders.fans import fan_key
from storefront.signing import load_exact

SALT = "sillon.sign-in"


class SignInRefused(LinkRefused):
    """The link is not one the shop issued (damaged, forged, or for another email)."""

    code = "sign_in_refused"

    def default_message(self) -> str:
        return str(_l("This sign-in link is not valid."))


class SignInSpent(SignInRefused):
    """The link was real but can no longer be used: too old, or used already."""

    code = "sign_in_spent"
    status = 410


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_LINK_MINUTES"])


def sign_in_token(link: SignInLink) -> str:
    return _serializer().dumps([link.id, link.email])


def read_sign_in_token(token: str) -> tuple[str, str]:
    """The link id and email a token names, or SignInRefused."""
    try:
        value = load_exact(_serializer(), token)
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise SignInRefused() from error
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise SignInRefused()
    return value[0], value[1]


@transactional
def mail_sign_in_link(session: Session, *, email: str, now: datetime) -> SignInLink:
    """Mail `email` a fresh sign-in link, known account or not (the page says the same)."""
    email = normalise_email(email)
    # Spent rows are of no use past their lifetime: each new link sweeps them.
    session.execute(delete(SignInLink).where(SignInLink.created_at < now - _lifetime()))
    link = SignInLink(id=secrets.token_urlsafe(16), email=email, created_at=now)
    session.add(link)
    path = url_for("shop.sign_in_link", token=sign_in_token(link))
    body = render_template(
        "mail/sign_in.txt",
        link=current_app.config["PUBLIC_URL"].rstrip("/") + path,
        minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
    )
    enqueue(session, recipient=email, subject=_("Your sign-in link"), body=body, kind="sign_in")
    return link


@transactional
def use_sign_in_link(session: Session, token: str, *, now: datetime) -> Fan:
    """The account the link signs in to (created on first use), the link spent; or
    SignInRefused / SignInSpent."""
    link_id, email = read_sign_in_token(token)
    # The write comes first, so on SQLite it waits for the write lock instead of failing
    # on a snapshot read earlier; on PostgreSQL the second of two racing requests waits
    # on the row and then finds it used.
    spent = session.execute(
        update(SignInLink)
        .where(
            SignInLink.id == link_id,
            SignInLink.email == email,
            SignInLink.used_at.is_(None),
            SignInLink.created_at > now - _lifetime(),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not spent:
        raise _why_refused(session, link_id, email, now)
    fan = _fan_for(session, email, now)
    fan.email, fan.last_signed_in_at = email, now
    return fan


def check_sign_in_link(session: Session, token: str, *, now: datetime) -> None:
    """Refuse, before anything is pressed, a link that could not sign in."""
    link_id, email = read_sign_in_token(token)
    refusal = _refusal(session.get(SignInLink, link_id), email, now)
    if refusal is not None:
        raise refusal


def _why_refused(session: Session, link_id: str, email: str, now: datetime) -> SignInRefused:
    # The conditional update found nothing: the row says why.
    refusal = _refusal(session.get(SignInLink, link_id), email, now)
    return refusal or SignInSpent(_("This sign-in link has expired."))


def _refusal(link: SignInLink | None, email: str, now: datetime) -> SignInRefused | None:
    if link is None or link.email != email:
        return SignInRefused()
    if link.used_at is not None:
        return SignInSpent(_("This sign-in link was used already: each link works once."))
    if link.created_at <= now - _lifetime():
        return SignInSpent(_("This sign-in link has expired."))
    return None


def _fan_for(session: Session, email: str, now: datetime) -> Fan:
    """The account of `email`, created if it is the first sign-in."""
    key = fan_key(email)
    fan = session.scalar(select(Fan).where(Fan.email_key == key))
    if fan is not None:
        return fan
    try:
        with session.begin_nested():
            fan = Fan(email=email, email_key=key, created_at=now)
            session.add(fan)
    except IntegrityError:
        # Two links of the same new fan used at once: the other request created it.
        fan = session.scalar(select(Fan).where(Fan.email_key == key))
    return fan
