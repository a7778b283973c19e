"""Links: the quest's code as its QR opens it; signed, expiring links to what a passport
holds (tonight's fragment, a badge's file) and the link that saves a passport.

A fragment or badge link names the stamp or grant it opens and works QUEST_LINK_HOURS;
the passport page makes fresh ones each time it is shown, so a link copied elsewhere
stops working while the fan's own page keeps giving working ones.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from storefront.errors import LinkRefused
from storefront.links import read_link, timed_serializer
from storefront.quests.codes import QuestCode, sign_code
from storefront.quests.models import BadgeGrant, Quest, Stamp


def _read(salt: str, token: str, max_age_seconds: int):
    expired = _l("This link has expired. Open your passport again: it gives you a fresh one.")
    return read_link(salt, token, max_age_seconds=max_age_seconds, expired=expired)


def _link_age() -> int:
    return current_app.config["QUEST_LINK_HOURS"] * 3600


def fragment_token(stamp: Stamp) -> str:
    return timed_serializer("sillon.fragment").dumps(stamp.id)


def open_fragment(session: Session, token: str) -> Stamp:
    """The stamp whose fragment a link plays."""
    stamp_id = _read("sillon.fragment", token, _link_age())
    stamp = session.get(Stamp, stamp_id) if isinstance(stamp_id, int) else None
    if stamp is None:
        raise LinkRefused()
    return stamp


def badge_token(grant: BadgeGrant) -> str:
    return timed_serializer("sillon.badge").dumps(grant.id)


def open_badge_file(session: Session, token: str) -> BadgeGrant:
    """The badge grant whose file a link serves."""
    grant_id = _read("sillon.badge", token, _link_age())
    grant = session.get(BadgeGrant, grant_id) if isinstance(grant_id, int) else None
    if grant is None or not grant.badge.reward_file:
        raise LinkRefused()
    return grant


def save_token(passport_key: str, email: str) -> str:
    """The link mailed to `email` that saves (or joins) a passport under it."""
    return timed_serializer("sillon.passport-save").dumps([passport_key, email])


def read_save_token(token: str) -> tuple[str, str]:
    """The passport key and email a save link names (it works PASSPORT_SAVE_HOURS)."""
    value = _read("sillon.passport-save", token, current_app.config["PASSPORT_SAVE_HOURS"] * 3600)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise LinkRefused()
    return value[0], value[1]


def quest_url(quest: Quest, *, slot: int | None = None) -> str:
    """What the quest's QR opens: PUBLIC_URL/q/<code>, a poster's (`slot` None) or the
    rotating screen's for `slot`."""
    config = current_app.config
    code = QuestCode(quest.gig_id, quest.key_version, slot)
    return f"{config['PUBLIC_URL'].rstrip('/')}/q/{sign_code(config['SECRET_KEY'], code)}"
