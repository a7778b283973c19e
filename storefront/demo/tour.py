"""Collectif Larsen's tour: past dates, one whose doors open around now, and dates to come
(DEMO.md), so the tour page shows every state whenever the demo is loaded."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storefront.quests.models import Gig, Tour

# city, venue, country, zone, days from today (0: tonight)
DATES = (
    ("Lyon", "Le Périscope", "FR", "Europe/Paris", -24),
    ("Grenoble", "Le Ciel", "FR", "Europe/Paris", -21),
    ("Genève", "Cave 12", "CH", "Europe/Zurich", -17),
    ("Lausanne", "Le Romandie", "CH", "Europe/Zurich", 0),
    ("Bruxelles", "Café Central", "BE", "Europe/Brussels", 9),
    ("Lille", "L'Aéronef", "FR", "Europe/Paris", 12),
    ("Nantes", "Le Pannonica", "FR", "Europe/Paris", 16),
)


def load_tour(session: Session, *, now: datetime) -> Tour:
    """The tour, tonight's doors an hour ago (so the night is on when the demo loads)."""
    tour = Tour(name="Retours de Scène — tournée d'hiver", artist="Collectif Larsen")
    for city, venue, country, zone, days in DATES:
        doors = _doors(now, zone, days)
        tour.gigs.append(
            Gig(
                city=city,
                venue=venue,
                country=country,
                timezone=zone,
                doors_at=doors,
                curfew_at=doors + timedelta(hours=4, minutes=30),
                ticket_url=None if days < 0 else "https://tickets.example/collectif-larsen",
                notes="",
            )
        )
    session.add(tour)
    return tour


def _doors(now: datetime, zone: str, days: int) -> datetime:
    """20:00 on the venue's calendar `days` from now; tonight's: an hour before `now`."""
    if days == 0:
        return now - timedelta(hours=1)
    local = (now + timedelta(days=days)).astimezone(ZoneInfo(zone))
    return local.replace(hour=20, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
