"""A gig's times in its venue's zone. Pure: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class LocalTimes:
    doors: datetime  # aware, in the venue's zone
    curfew: datetime
    zone: str  # as the venue's clocks say it: CET, CEST

    @property
    def date(self):
        return self.doors.date()


def local_times(doors_at: datetime, curfew_at: datetime, timezone: str) -> LocalTimes:
    """Doors and curfew (aware, any zone) as the venue's clocks show them."""
    zone = ZoneInfo(timezone)
    doors, curfew = doors_at.astimezone(zone), curfew_at.astimezone(zone)
    return LocalTimes(doors, curfew, doors.tzname() or timezone)


def is_over(curfew_at: datetime, now: datetime) -> bool:
    """A gig is upcoming (or on tonight) until its curfew."""
    return curfew_at <= now
