"""The label's side of the tour: tours and gigs added, changed and removed from the admin,
and what the admin's tour list shows of them.

A gig's doors and curfew come as the venue's clock shows them and are kept in UTC. Each
write is one transaction and raises GigRefused, naming the form field it concerns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.admin_services import CatalogRefused
from storefront.database import transactional
from storefront.quests.models import Gig, Quest, Stamp, Tour
from storefront.quests.services import GigView, gig_view
from storefront.quests.times import venue_time_to_utc

# The server's own clock and tzdata's placeholder are files in the zone database, not the
# zone of any venue.
_NOT_VENUE_ZONES = frozenset({"localtime", "Factory"})


class GigRefused(CatalogRefused):
    """A tour or gig edit breaks a rule; `field` names the form field it concerns."""

    code = "gig_refused"


@dataclass(frozen=True)
class TourFields:
    name: str
    artist: str


@dataclass(frozen=True)
class GigFields:
    city: str
    venue: str
    country: str  # ISO 3166 alpha-2
    timezone: str  # IANA: Europe/Zurich
    doors: datetime  # naive: on the venue's clock, as typed
    curfew: datetime
    ticket_url: str | None = None
    notes: str = ""


# --- tours ------------------------------------------------------------------------------


@transactional
def add_tour(session: Session, *, fields: TourFields) -> Tour:
    """A new tour, without gigs yet."""
    tour = Tour(**_tour_values(fields))
    session.add(tour)
    return tour


@transactional
def update_tour(session: Session, tour: Tour, *, fields: TourFields) -> Tour:
    """Rename a tour or change its artist."""
    for name, value in _tour_values(fields).items():
        setattr(tour, name, value)
    return tour


@transactional
def delete_tour(session: Session, tour: Tour) -> None:
    """Remove a tour that has no gig left."""
    # One conditional DELETE, not a count then a delete: a gig added meanwhile is never
    # swept away with its tour by the cascade.
    no_gig = ~exists().where(Gig.tour_id == Tour.id)
    statement = delete(Tour).where(Tour.id == tour.id, no_gig)
    if session.execute(statement.execution_options(synchronize_session=False)).rowcount:
        return
    count = session.scalar(select(func.count(Gig.id)).where(Gig.tour_id == tour.id)) or 0
    message = ngettext(
        "This tour still has %(num)d gig: delete it first, then the tour.",
        "This tour still has %(num)d gigs: delete them first, then the tour.",
        count,
    )
    raise GigRefused(message)


def _tour_values(fields: TourFields) -> dict[str, str]:
    return {
        "name": _text(fields.name, "name", 120, _("Give the tour a name, like Winter tour.")),
        "artist": _text(fields.artist, "artist", 120, _("Say whose tour it is: the artist.")),
    }


# --- gigs -------------------------------------------------------------------------------


@transactional
def add_gig(session: Session, tour: Tour, *, fields: GigFields) -> Gig:
    """A new gig of `tour`, its times typed on the venue's clock."""
    gig = Gig(tour_id=tour.id, **_gig_values(fields, None))
    session.add(gig)
    return gig


@transactional
def update_gig(session: Session, gig: Gig, *, fields: GigFields) -> Gig:
    """Change a gig; a time left as it was shown keeps its stored instant."""
    for name, value in _gig_values(fields, gig).items():
        setattr(gig, name, value)
    return gig


def gig_dependents(session: Session, gig: Gig) -> list[str]:
    """Why `gig` may not be deleted: one sentence per thing that depends on it.

    delete_gig and the tour list both ask this one function. The quest's stamps are
    checked here; domains built on gigs (the stand) add their checks in `create_app`,
    as `app.extensions["gig_dependents"]`, since quests never imports them."""
    reasons = []
    stamps = session.scalar(select(func.count(Stamp.id)).join(Quest).where(Quest.gig_id == gig.id))
    if stamps:
        reasons.append(
            ngettext(
                "%(num)d fan holds its quest's stamp.",
                "%(num)d fans hold its quest's stamp.",
                stamps,
            )
        )
    for check in current_app.extensions.get("gig_dependents", ()):
        reasons.extend(check(session, gig))
    return reasons


@transactional
def delete_gig(session: Session, gig: Gig) -> None:
    """Remove a gig that nothing depends on."""
    reasons = gig_dependents(session, gig)
    if reasons:
        raise GigRefused(" ".join([_("This gig cannot be deleted."), *reasons]))
    session.delete(gig)


def _gig_values(fields: GigFields, gig: Gig | None) -> dict[str, object]:
    """The gig's columns from what was typed, or GigRefused for the first broken rule."""
    city = _text(fields.city, "city", 80, _("Give the city, like Genève."))
    venue = _text(fields.venue, "venue", 120, _("Give the venue, like L'Usine."))
    country = _country(fields.country)
    zone = _zone(fields.timezone)
    doors_at = _instant(fields.doors, zone, "doors", gig.doors_at if gig else None)
    curfew_at = _instant(fields.curfew, zone, "curfew", gig.curfew_at if gig else None)
    if curfew_at <= doors_at:
        message = _(
            "The curfew comes after the doors open. A curfew after midnight is on the next "
            "day's date."
        )
        raise GigRefused(message, field="curfew")
    return {
        "city": city,
        "venue": venue,
        "country": country,
        "timezone": zone,
        "doors_at": doors_at,
        "curfew_at": curfew_at,
        "ticket_url": _ticket_url(fields.ticket_url),
        "notes": _text(fields.notes, "notes", 5_000, None),
    }


def _instant(typed: datetime, zone: str, field: str, stored: datetime | None) -> datetime:
    # The form shows minutes on the venue's clock, which cannot tell the second 02:30 of an
    # autumn night, nor seconds: a time sent back as shown keeps the instant on record.
    if stored is not None:
        shown = stored.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
        if shown == typed:
            return stored
    try:
        return venue_time_to_utc(typed, zone)
    except ValueError:
        message = _(
            "%(time)s does not exist in %(zone)s: the clocks jump forward that night. "
            "Choose a time before or after the change.",
            time=f"{typed:%Y-%m-%d %H:%M}",
            zone=zone,
        )
        raise GigRefused(message, field=field) from None


def _zone(name: str) -> str:
    name = name.strip()
    if not name:
        raise GigRefused(_("Choose the venue's time zone."), field="timezone")
    if name not in _venue_zones():
        message = _(
            "“%(zone)s” is not a time zone: choose one from the list or type its IANA name, "
            "like America/Montreal.",
            zone=name,
        )
        raise GigRefused(message, field="timezone")
    return name


@functools.cache
def _venue_zones() -> frozenset[str]:
    # Read once: the zone database does not change while the shop runs.
    return frozenset(available_timezones()) - _NOT_VENUE_ZONES


def _country(code: str) -> str:
    code = code.strip().upper()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        message = _("The country is its two-letter code (ISO 3166), like CH or FR.")
        raise GigRefused(message, field="country")
    return code


def _ticket_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        message = _(
            "The ticket link is a web address starting with https:// (or http://), like "
            "https://tickets.example/geneve."
        )
        raise GigRefused(message, field="ticket_url")
    return url


def _text(value: str, field: str, max_length: int, missing: str | None) -> str:
    """`value` stripped; refused when empty (if `missing` says why) or too long."""
    value = value.strip()
    if missing is not None and not value:
        raise GigRefused(missing, field=field)
    if len(value) > max_length:
        message = _("At most %(num)d characters.", num=max_length)
        raise GigRefused(message, field=field)
    return value


# --- what the admin's tour list shows ---------------------------------------------------


@dataclass(frozen=True)
class GigRow:
    view: GigView
    removable: bool  # nothing depends on it (gig_dependents)


@dataclass(frozen=True)
class TourRow:
    """A tour with its gigs as the admin lists them, offering only what the services allow."""

    tour: Tour
    gigs: tuple[GigRow, ...]

    @property
    def removable(self) -> bool:
        return not self.gigs  # delete_tour's rule


def tour_rows(session: Session, *, now: datetime) -> list[TourRow]:
    """Every tour by name, each with its gigs by doors."""
    tours = session.scalars(
        select(Tour).options(selectinload(Tour.gigs)).order_by(Tour.name, Tour.id)
    ).all()
    return [
        TourRow(
            tour,
            tuple(
                GigRow(gig_view(gig, now=now), removable=not gig_dependents(session, gig))
                for gig in tour.gigs
            ),
        )
        for tour in tours
    ]
