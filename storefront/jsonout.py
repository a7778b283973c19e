"""What every public JSON answer shares: one way to write a time, and open caching.

Band sites and scripts parse these answers: a time is always UTC to the second with a Z
("2026-12-02T06:00:00Z"), never an offset, whichever column or database it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response

# Figures may lag this long in shared caches; the release page's script polls every 15 s.
MAX_AGE_SECONDS = 5


def json_time(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, with a Z: "2025-03-12T09:00:00Z" (None stays None)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def public_response(response: Response) -> Response:
    """Any site may read it (no cookies are involved); caches may keep it a few seconds."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    return response
