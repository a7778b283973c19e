"""Which account a session cookie names, if it still may."""

import hashlib
import re

from flask import request
from sqlalchemy.orm import Session

from storefront.accounts.models import User

_SESSION_ID = re.compile(r"(\d{1,10}):(\d{1,10})", re.ASCII)


def user_for_session_id(session: Session, session_id: str) -> User | None:
    """The account behind `session_id` ("<id>:<version>"), unless its sessions ended."""
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None:
        return None
    user = session.get(User, int(match[1]))
    if user is None or user.session_version != int(match[2]):
        return None
    return user


def session_fingerprint() -> str:
    """The browser a session was opened from, for Flask-Login's "strong" protection.

    Flask-Login's own reads X-Forwarded-For as any client sends it; here only the
    address ProxyFix trusted (PROXY_HOPS) counts."""
    seen = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(seen.encode()).hexdigest()
