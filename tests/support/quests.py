"""Gigs and their quests: factories, the code a poster or the screen shows, a fan's scan."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.codes import QuestCode, sign_code, slot_at
from storefront.quests.models import Gig, Quest, Tour


@pytest.fixture
def make_gig():
    tours: dict[str, Tour] = {}

    def make(
        city: str = "Lausanne",
        *,
        doors: datetime | None = None,
        hours: float = 4,
        zone: str = "Europe/Zurich",
        country: str = "CH",
        tour: str = "Tournée d'hiver",
    ) -> Gig:
        doors = doors or utcnow().replace(microsecond=0) - timedelta(minutes=30)
        if tour not in tours:
            tours[tour] = Tour(name=tour, artist="Collectif Larsen")
            db.session.add(tours[tour])
        gig = Gig(
            tour=tours[tour],
            city=city,
            venue=f"Salle de {city}",
            country=country,
            timezone=zone,
            doors_at=doors,
            curfew_at=doors + timedelta(hours=hours),
            notes="",
        )
        db.session.add(gig)
        db.session.commit()
        return gig

    return make


@pytest.fixture
def make_quest(make_gig):
    def make(gig: Gig | None = None, **fields) -> Quest:
        gig = gig or make_gig()
        fields.setdefault("fragment_title", f"Soundcheck, {gig.city}")
        fields.setdefault("fragment_text", f"Ce soir à {gig.city}, la basse a tenu bon.")
        fields.setdefault("message", f"Merci {gig.city} !")
        quest = Quest(gig=gig, **fields)
        db.session.add(quest)
        db.session.commit()
        return quest

    return make


def poster_url(app, quest: Quest, *, key_version: int | None = None) -> str:
    """The path a poster's QR opens."""
    code = QuestCode(quest.gig_id, key_version or quest.key_version)
    return "/q/" + sign_code(app.config["SECRET_KEY"], code)


def screen_url(app, quest: Quest, *, at: datetime | None = None) -> str:
    """The path the rotating screen's QR opens at `at` (now)."""
    code = QuestCode(quest.gig_id, quest.key_version, slot_at(at or utcnow()))
    return "/q/" + sign_code(app.config["SECRET_KEY"], code)
