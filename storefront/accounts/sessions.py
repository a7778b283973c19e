"""Which account a session cookie names, if it still may."""

import hashlib
import re

from flask import request
from sqlalchemy.orm import Session

from storefront.accounts.models import User
from storefront.fans.models import SESSION_PREFIX, Fan

_SESSION_ID = re.compile(rf"(?:({SESSION_PREFIX}):)?(\d{{1,10}}):(\d{{1,10}})", re.ASCII)


def user_for_session_id(session: Session, session_id: str) -> User | Fan | None:
    """The account behind `session_id`, unless its sessions ended: a staff account for
    "<id>:<version>", a fan's for "fan:<id>:<version>"."""
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None:
        return None
    account = session.get(Fan if match[1] else User, int(match[2]))
    if account is None or account.session_version != int(match[3]):
        return None
    return account


def session_fingerprint() -> str:
    """The browser a session was opened from, for Flask-Login's "strong" protection.

    Flask-Login's own reads X-Forwarded-For as any client sends it; here only the
    address ProxyFix trusted (PROXY_HOPS) counts."""
    seen = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(seen.encode()).hexdigest()
