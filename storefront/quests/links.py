"""Links: the quest's code as its QR opens it; signed, expiring links to what a passport
holds (tonight's fragment, a badge's file) and the link that saves a passport.

A fragment or badge link names the stamp or grant it opens and works QUEST_LINK_HOURS;
the passport page makes fresh ones each time it is shown, so a link copied elsewhere
stops working while the fan's own page keeps giving working ones.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from storefront.errors import StorefrontError
from storefront.quests.codes import QuestCode, sign_code
from storefront.quests.models import BadgeGrant, Quest, Stamp
from storefront.signing import load_exact


class LinkRefused(StorefrontError):
    code = "link_refused"
    status = 404


class LinkExpired(LinkRefused):
    code = "link_expired"
    status = 410


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _read(salt: str, token: str, max_age_seconds: int):
    try:
        return load_exact(_serializer(salt), token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise LinkExpired(
            _l("This link has expired. Open your passport again: it gives you a fresh one.")
        ) from error
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise LinkRefused(_l("This link is not valid.")) from error


def _link_age() -> int:
    return current_app.config["QUEST_LINK_HOURS"] * 3600


def fragment_token(stamp: Stamp) -> str:
    return _serializer("sillon.fragment").dumps(stamp.id)


def open_fragment(session: Session, token: str) -> Stamp:
    """The stamp whose fragment a link plays."""
    stamp_id = _read("sillon.fragment", token, _link_age())
    stamp = session.get(Stamp, stamp_id) if isinstance(stamp_id, int) else None
    if stamp is None:
        raise LinkRefused(_l("This link is not valid."))
    return stamp


def badge_token(grant: BadgeGrant) -> str:
    return _serializer("sillon.badge").dumps(grant.id)


def open_badge_file(session: Session, token: str) -> BadgeGrant:
    """The badge grant whose file a link serves."""
    grant_id = _read("sillon.badge", token, _link_age())
    grant = session.get(BadgeGrant, grant_id) if isinstance(grant_id, int) else None
    if grant is None or not grant.badge.reward_file:
        raise LinkRefused(_l("This link is not valid."))
    return grant


def save_token(passport_key: str, email: str) -> str:
    """The link mailed to `email` that saves (or joins) a passport under it."""
    return _serializer("sillon.passport-save").dumps([passport_key, email])


def read_save_token(token: str) -> tuple[str, str]:
    """The passport key and email a save link names (it works PASSPORT_SAVE_HOURS)."""
    value = _read("sillon.passport-save", token, current_app.config["PASSPORT_SAVE_HOURS"] * 3600)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise LinkRefused(_l("This link is not valid."))
    return value[0], value[1]


def quest_url(quest: Quest, *, slot: int | None = None) -> str:
    """What the quest's QR opens: PUBLIC_URL/q/<code>, a poster's (`slot` None) or the
    rotating screen's for `slot`."""
    config = current_app.config
    code = QuestCode(quest.gig_id, quest.key_version, slot)
    return f"{config['PUBLIC_URL'].rstrip('/')}/q/{sign_code(config['SECRET_KEY'], code)}"
