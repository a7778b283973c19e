"""The period the dashboard reads and the buckets of its charts (pure: dates only).

Days are UTC days; a chart has one point per day for periods of two weeks or less, one
per week (Monday to Sunday) beyond."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DAILY_UP_TO_DAYS = 14
MAX_DAYS = 3 * 366  # a longer period would only draw an unreadable chart


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def daily(self) -> bool:
        return self.days <= DAILY_UP_TO_DAYS

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period (bounds are start <= t < ends_before)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def step(self) -> int:
        """Days per chart bucket."""
        return 1 if self.daily else 7

    @property
    def first_bucket(self) -> date:
        """The first bucket's first day (for weeks, the Monday on or before `start`)."""
        return self.bucket_of(self.start)

    def nth_bucket(self, number: int) -> date:
        """Bucket `number`'s first day, counted from 0 for `first_bucket`."""
        return self.first_bucket + timedelta(days=number * self.step)

    def bucket_of(self, day: date) -> date:
        return day if self.daily else day - timedelta(days=day.weekday())

    def buckets(self) -> list[tuple[date, int]]:
        """Each chart bucket's first day (a Monday for weeks) and its days inside the period."""
        step, first = self.step, self.first_bucket
        out = []
        while first <= self.end:
            last = min(first + timedelta(days=step - 1), self.end)
            out.append((first, (last - max(first, self.start)).days + 1))
            first += timedelta(days=step)
        return out


def last_days(today: date, days: int) -> Period:
    """The `days` days up to and including `today`."""
    return Period(today - timedelta(days=days - 1), today)


PRESETS: dict[str, int] = {"7d": 7, "4w": 28, "13w": 91, "12m": 365}
DEFAULT_PRESET = "4w"


def preset(name: str, today: date) -> Period:
    """A named period ending today (`PRESETS`); the default one for an unknown name."""
    return last_days(today, PRESETS.get(name, PRESETS[DEFAULT_PRESET]))
