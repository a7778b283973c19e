"""Unique visitors of release pages, counted on the server without cookies or trackers.

A visitor is HMAC(day secret, day | address | user agent), the day secret derived from
SECRET_KEY and the date, so yesterday's visitors cannot be matched with today's and no
address is kept. One row per (release, day, visitor), inserted or ignored. A process
remembers the keys it has counted today, so a repeat view costs one HMAC and a set
lookup and writes nothing. Browsers that send Do Not Track (or Global Privacy Control)
and obvious robots are not counted."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.kpis.models import ReleaseVisit

BOTS = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|preview|curl|wget|python-|httpclient|"
    r"headless|monitor|scanner|java/|go-http|okhttp|feed|fetch",
    re.IGNORECASE,
)
MAX_REMEMBERED = 200_000  # a day's keys; past this the memory starts over (counting stays right)


def day_secret(secret_key: str, day: date) -> bytes:
    """The day's key: nothing computed with it can be linked to another day's."""
    return hmac.new(secret_key.encode(), f"visits:{day.isoformat()}".encode(), "sha256").digest()


def visitor_hash(secret_key: str, day: date, address: str, user_agent: str) -> str:
    message = f"{day.isoformat()}|{address}|{user_agent}".encode()
    return hmac.new(day_secret(secret_key, day), message, hashlib.sha256).hexdigest()[:32]


def counts(user_agent: str, headers_say_no: bool) -> bool:
    """Whether a view is counted at all: not for robots, not when the browser asked not to be."""
    return bool(user_agent) and not headers_say_no and not BOTS.search(user_agent)


class VisitCounter:
    """The process's memory of today's counted (slug, visitor) pairs, and the write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: date | None = None
        self._seen: set[tuple[str, str]] = set()

    def _first_time(self, day: date, key: tuple[str, str]) -> bool:
        with self._lock:
            if day != self._day or len(self._seen) >= MAX_REMEMBERED:
                self._day, self._seen = day, set()
            if key in self._seen:
                return False
            self._seen.add(key)
            return True

    def forget(self) -> None:
        with self._lock:
            self._day, self._seen = None, set()

    def count(self, session: Session, *, slug: str, visitor: str, day: date) -> bool:
        """Count `visitor` on the release page `slug` today; True when a row was written."""
        if not self._first_time(day, (slug, visitor)):
            return False
        release_id = session.scalar(select(Release.id).where(Release.slug == slug))
        if release_id is None:
            return False
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(ReleaseVisit)
            .values(release_id=release_id, day=day, visitor=visitor)
            .on_conflict_do_nothing()
            .returning(ReleaseVisit.id)
        )
        written = session.execute(statement).scalar() is not None
        session.commit()
        return written


counter = VisitCounter()


def count_visit(
    session: Session,
    *,
    slug: str,
    secret_key: str,
    address: str,
    user_agent: str,
    do_not_track: bool,
    day: date,
) -> bool:
    """Count one view of a release page (the release view calls this, before its cache)."""
    if not counts(user_agent, do_not_track):
        return False
    visitor = visitor_hash(secret_key, day, address, user_agent)
    return counter.count(session, slug=slug, visitor=visitor, day=day)
