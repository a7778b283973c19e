"""Collectif Larsen's tour: past dates, one whose doors open around now, and dates to come
(DEMO.md), so the tour page shows every state whenever the demo is loaded; each gig with
its quest (a soundcheck recording, a photo or a set list, made here), fans' stamps at the
past gigs and tonight's, and the passport's badges."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storefront.demo.media import make_audio, make_cover
from storefront.quests.badges import grant_badges
from storefront.quests.claims import new_passport_key, window_of
from storefront.quests.models import (
    Badge,
    BadgeReward,
    FragmentKind,
    Gig,
    Passport,
    Quest,
    Stamp,
    Tour,
)

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


# Fans who scanned at each past gig, and so far tonight (0 for dates to come).
STAMPS = {"Lyon": 38, "Grenoble": 21, "Genève": 27, "Lausanne": 9}
SET_LIST = "Ouverture (larsen)\nRetour 1\nMur de basses\nRetour 2\nSilence partiel\nRappel"


def load_tour(session: Session, *, now: datetime, private_dir: Path) -> Tour:
    """The tour, tonight's doors an hour ago (so the night is on when the demo loads),
    its quests, stamps and badges."""
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
    for index, gig in enumerate(tour.gigs):
        gig.quest = _quest(gig, index, private_dir)
    _badges(session, private_dir)
    session.flush()
    _stamp_the_nights(session, tour, now)
    return tour


def _quest(gig: Gig, index: int, private_dir: Path) -> Quest:
    """Geneva's is a photo, Grenoble's the set list, every other night its soundcheck."""
    quest = Quest(
        message=f"Merci {gig.city} ! Ce qui suit n'existe que pour celles et ceux qui étaient là.",
        cap=150 if gig.city == "Bruxelles" else None,
        stamps_given=0,
    )
    if gig.city == "Grenoble":
        quest.fragment_kind, quest.fragment_title = FragmentKind.TEXT, "La set list, annotée"
        quest.fragment_text = SET_LIST
    elif gig.city == "Genève":
        quest.fragment_kind, quest.fragment_title = FragmentKind.IMAGE, "Les amplis, avant"
        quest.fragment_file = f"fragments/demo-{index}.jpg"
        make_cover(
            private_dir / quest.fragment_file,
            seed=40 + index,
            title=gig.venue,
            artist=gig.city,
            style="noise",
        )
    else:
        quest.fragment_kind, quest.fragment_title = FragmentKind.AUDIO, f"Balance à {gig.city}"
        quest.fragment_file = f"fragments/demo-{index}.wav"
        make_audio(private_dir / quest.fragment_file, seed=40 + index, seconds=20, style="noise")
    return quest


def _stamp_the_nights(session: Session, tour: Tour, now: datetime) -> None:
    """Passports with stamps spread over each night that has begun: four regulars were at
    every past date (their badge is earned), two of them are in Lausanne tonight."""
    rng = random.Random(7)
    regulars = [_passport(now) for _ in range(4)]
    for gig in tour.gigs:
        count = STAMPS.get(gig.city, 0)
        here = regulars[: 2 if gig.city == "Lausanne" else 4] if count else []
        passports = here + [_passport(now) for _ in range(count - len(here))]
        window = window_of(gig.quest)
        last = min(now, window.closes_at)
        for passport in passports:
            at = window.opens_at + (last - window.opens_at) * rng.betavariate(2.5, 2)
            session.add(Stamp(quest=gig.quest, passport=passport, claimed_at=at))
        gig.quest.stamps_given = len(passports)
    session.flush()
    for passport in regulars:
        grant_badges(session, passport, now=now)


def _passport(now: datetime) -> Passport:
    return Passport(key=new_passport_key(), created_at=now)


def _badges(session: Session, private_dir: Path) -> None:
    make_audio(private_dir / "rewards/demo-badge-encore.wav", seed=77, seconds=30, style="noise")
    session.add_all(
        [
            Badge(
                name="Trois villes",
                cities=3,
                reward=BadgeReward.FILE,
                reward_title="Rappel inédit, Lyon",
                reward_file="rewards/demo-badge-encore.wav",
            ),
            Badge(
                name="Cinq villes",
                cities=5,
                reward=BadgeReward.DISCOUNT,
                reward_title="-15 % sur une commande",
                discount_percent=15,
            ),
        ]
    )


def _doors(now: datetime, zone: str, days: int) -> datetime:
    """20:00 on the venue's calendar `days` from now; tonight's: an hour before `now`."""
    if days == 0:
        return now - timedelta(hours=1)
    local = (now + timedelta(days=days)).astimezone(ZoneInfo(zone))
    return local.replace(hour=20, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
