"""The codes a quest's QR carries, and the rules that honour them. Pure: no Flask, no
database.

A code is signed (itsdangerous) and names the gig and the quest's key version; a code
shown on the rotating screen also names its time slot. It is honoured only while the key
version is current, inside the gig's window, and (screen codes) for its own slot and the
one after it, so a photo of the screen posted online stops working two minutes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, URLSafeSerializer

from storefront.signing import load_exact

SALT = "sillon.quest"
SLOT_SECONDS = 60
DEFAULT_OPENS_BEFORE = timedelta(hours=1)
DEFAULT_CLOSES_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class QuestCode:
    gig_id: int
    key_version: int
    slot: int | None = None  # None: a poster's code, good all night


class CodeInvalid(Exception):
    """Not a code this shop issued: forged, tampered with, truncated."""


class Refusal(StrEnum):
    """Why a code is not honoured (each gets the "not valid" page)."""

    INVALID = "invalid"  # not a code this shop issued, or its gig has no quest
    REVOKED = "revoked"  # the key was rotated since it was made
    STALE = "stale"  # a screen code whose minute has passed
    NOT_SCREEN = "not_screen"  # a poster's code where only the screen's are taken
    OTHER_GIG = "other_gig"


class Timing(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    ENDED = "ended"


@dataclass(frozen=True)
class Window:
    """When a gig's codes are honoured: [opens_at, closes_at)."""

    opens_at: datetime
    closes_at: datetime

    def timing(self, now: datetime) -> Timing:
        if now < self.opens_at:
            return Timing.NOT_YET
        return Timing.OPEN if now < self.closes_at else Timing.ENDED


def _serializer(secret: str) -> URLSafeSerializer:
    # Compact JSON and no timestamp: a short token is a sparse QR, read from further away.
    return URLSafeSerializer(secret, salt=SALT)


def sign_code(secret: str, code: QuestCode) -> str:
    """The token for `code`, as it goes in the QR's URL."""
    payload = [code.gig_id, code.key_version]
    if code.slot is not None:
        payload.append(code.slot)
    return _serializer(secret).dumps(payload)


def read_code(secret: str, token: str) -> QuestCode:
    """The code inside `token`, or CodeInvalid (forged, tampered, truncated, malformed)."""
    try:
        payload = load_exact(_serializer(secret), token)
    except (BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise CodeInvalid(str(error)) from error
    if not isinstance(payload, list) or len(payload) not in (2, 3):
        raise CodeInvalid("not a quest code")
    if not all(isinstance(part, int) and not isinstance(part, bool) for part in payload):
        raise CodeInvalid("not a quest code")
    return QuestCode(*payload)


def slot_at(now: datetime) -> int:
    """The rotating screen's time slot at `now`."""
    return int(now.timestamp()) // SLOT_SECONDS


def slot_ends_at(slot: int) -> datetime:
    """When the screen must show the next slot's code (aware, UTC)."""
    return datetime.fromtimestamp((slot + 1) * SLOT_SECONDS, tz=UTC)


def judge(
    code: QuestCode, *, gig_id: int, key_version: int, screen_only: bool, now: datetime
) -> Refusal | None:
    """Why the quest of gig `gig_id` (its key at `key_version`) refuses `code` at `now`,
    or None when it honours it (the window is judged apart: it gets its own page)."""
    if code.gig_id != gig_id:
        return Refusal.OTHER_GIG
    if code.key_version != key_version:
        return Refusal.REVOKED
    if code.slot is None:
        return Refusal.NOT_SCREEN if screen_only else None
    # Its own slot and one slot of grace: a fan who scanned as the code changed still
    # gets in; a code from the future was never shown.
    return None if slot_at(now) - 1 <= code.slot <= slot_at(now) else Refusal.STALE


def quest_window(
    doors_at: datetime,
    curfew_at: datetime,
    *,
    opens_before: timedelta = DEFAULT_OPENS_BEFORE,
    closes_after: timedelta = DEFAULT_CLOSES_AFTER,
) -> Window:
    """From doors minus `opens_before` to curfew + `closes_after`: real durations, so a
    daylight-saving change during the night moves nothing."""
    return Window(doors_at - opens_before, curfew_at + closes_after)
