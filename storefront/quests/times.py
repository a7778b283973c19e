"""A gig's times in its venue's zone. Pure: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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


def venue_time_to_utc(local: datetime, timezone: str) -> datetime:
    """A naive time on the venue's clock as aware UTC; ValueError if the clocks skip it."""
    zone = ZoneInfo(timezone)
    # fold=0: an hour the autumn clocks show twice is taken the first time it comes (as
    # Python does): doors open when the clock first reads it, and a curfew read that way
    # ends the night early rather than an hour late.
    moment = local.replace(tzinfo=zone, fold=0)
    utc = moment.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {timezone}: the clocks jump over "
            "it (summer time starts)."
        )
    return utc
