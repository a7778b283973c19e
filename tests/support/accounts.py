"""Fans with accounts, for tests of what a signed-in fan sees (sign-in itself is tested
through its magic link in tests/web/test_fan_accounts.py)."""

from __future__ import annotations

from storefront.accounts.sessions import session_fingerprint
from storefront.extensions import db
from storefront.fans.models import Fan
from storefront.orders.fans import fan_key


def make_fan(email: str = "ana@example.org", **fields) -> Fan:
    fan = Fan(email=email.lower(), email_key=fan_key(email), **fields)
    db.session.add(fan)
    db.session.commit()
    return fan


def sign_in_as(client, fan: Fan):
    """Open a session for `fan` in `client`, as the magic link does, and return client."""
    with client.application.test_request_context(environ_base=client.environ_base):
        fingerprint = session_fingerprint()
    with client.session_transaction() as session:
        session["_user_id"] = fan.get_id()
        session["_fresh"] = True
        session["_id"] = fingerprint
    return client
