"""Signed links of the newsletter: the confirmation link (it carries the request and
expires after NEWSLETTER_CONFIRM_HOURS), and the unsubscribe and preferences links of
every mail (they name the address and keep working: an old mail can always unsubscribe).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from storefront.errors import StorefrontError
from storefront.signing import load_exact

CONFIRM_SALT = "sillon.newsletter-confirm"
UNSUBSCRIBE_SALT = "sillon.newsletter-unsubscribe"
PREFERENCES_SALT = "sillon.newsletter-preferences"


class LinkRefused(StorefrontError):
    code = "link_refused"
    status = 404


class LinkExpired(LinkRefused):
    code = "link_expired"
    status = 410


@dataclass(frozen=True)
class SignUp:
    """What a fan asked for: confirmed as it was asked, whatever was typed since."""

    email: str
    topics: list[str]
    city: str
    locale: str
    source: str


def _timed() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def _lasting(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirm_token(request: SignUp) -> str:
    return _timed().dumps(asdict(request))


def read_confirm_token(token: str) -> SignUp:
    """The sign-up a confirmation link carries; LinkExpired, LinkRefused otherwise."""
    max_age = current_app.config["NEWSLETTER_CONFIRM_HOURS"] * 3600
    try:
        data = load_exact(_timed(), token, max_age=max_age)
        return SignUp(**data)
    except SignatureExpired as error:
        raise LinkExpired(
            _l("This confirmation link has expired. Sign up again: we will send a fresh one.")
        ) from error
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise LinkRefused(_l("This link is not valid.")) from error


def address_token(email_key: str, *, purpose: str) -> str:
    """The unsubscribe (`purpose` "unsubscribe") or preferences link's token."""
    return _lasting(_salt(purpose)).dumps(email_key)


def read_address_token(token: str, *, purpose: str) -> str:
    """The email key an unsubscribe or preferences link names."""
    try:
        value = load_exact(_lasting(_salt(purpose)), token)
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise LinkRefused(_l("This link is not valid.")) from error
    if not isinstance(value, str):
        raise LinkRefused(_l("This link is not valid."))
    return value


def _salt(purpose: str) -> str:
    return {"unsubscribe": UNSUBSCRIBE_SALT, "preferences": PREFERENCES_SALT}[purpose]
