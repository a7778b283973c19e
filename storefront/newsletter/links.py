"""Signed links of the newsletter: the confirmation link (it carries the request and
expires after NEWSLETTER_CONFIRM_HOURS), and the unsubscribe and preferences links of
every mail (they name the address and keep working: an old mail can always unsubscribe).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from storefront.errors import LinkRefused
from storefront.links import lasting_serializer, read_link, timed_serializer

CONFIRM_SALT = "sillon.newsletter-confirm"
UNSUBSCRIBE_SALT = "sillon.newsletter-unsubscribe"
PREFERENCES_SALT = "sillon.newsletter-preferences"


@dataclass(frozen=True)
class SignUp:
    """What a fan asked for: confirmed as it was asked, whatever was typed since."""

    email: str
    topics: list[str]
    city: str
    locale: str
    source: str


def confirm_token(request: SignUp) -> str:
    return timed_serializer(CONFIRM_SALT).dumps(asdict(request))


def read_confirm_token(token: str) -> SignUp:
    """The sign-up a confirmation link carries; LinkExpired, LinkRefused otherwise."""
    expired = _l("This confirmation link has expired. Sign up again: we will send a fresh one.")
    max_age = current_app.config["NEWSLETTER_CONFIRM_HOURS"] * 3600
    data = read_link(CONFIRM_SALT, token, max_age_seconds=max_age, expired=expired)
    try:
        return SignUp(**data)
    except TypeError as error:
        raise LinkRefused() from error


def address_token(email_key: str, *, purpose: str) -> str:
    """The unsubscribe (`purpose` "unsubscribe") or preferences link's token."""
    return lasting_serializer(_salt(purpose)).dumps(email_key)


def read_address_token(token: str, *, purpose: str) -> str:
    """The email key an unsubscribe or preferences link names."""
    value = read_link(_salt(purpose), token, max_age_seconds=None, expired="")
    if not isinstance(value, str):
        raise LinkRefused()
    return value


def _salt(purpose: str) -> str:
    return {"unsubscribe": UNSUBSCRIBE_SALT, "preferences": PREFERENCES_SALT}[purpose]
