"""Signed links in pages and mails, each kind under its own salt, made and read with the
app's secret: a damaged or forged one is refused (LinkRefused), an old one has expired
(LinkExpired, with the kind's own advice)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from storefront.errors import LinkExpired, LinkRefused
from storefront.signing import load_exact


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def lasting_serializer(salt: str) -> URLSafeSerializer:
    """For links that must work for good (a newsletter's unsubscribe link)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def read_link(salt: str, token: str, *, max_age_seconds: int | None, expired: str) -> Any:
    """What the link `token` carries; with `max_age_seconds` None, it never expires."""
    serializer = lasting_serializer(salt) if max_age_seconds is None else timed_serializer(salt)
    options = {} if max_age_seconds is None else {"max_age": max_age_seconds}
    try:
        return load_exact(serializer, token, **options)
    except SignatureExpired as error:
        raise LinkExpired(expired) from error
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise LinkRefused() from error


def public_urls() -> AbstractContextManager:
    """A context in which `url_for(..., _external=True)` makes links for PUBLIC_URL, the
    shop's public address, whatever request (or none: a job) writes the mail."""
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"].rstrip("/"))
