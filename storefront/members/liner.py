"""The liner notes: the names members of tiers with `liner_notes` asked to be printed
under, while their membership keeps its benefits (an empty name is left out)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.csvout import csv_text
from storefront.members.models import Membership, Tier


def liner_names(session: Session, *, now: datetime, grace: timedelta) -> list[str]:
    """Each eligible name once, in alphabetical order."""
    memberships = session.scalars(
        select(Membership)
        .join(Tier, Tier.id == Membership.tier_id)
        .where(Tier.liner_notes.is_(True))
        .options(joinedload(Membership.tier))
    )
    names = {
        name
        for membership in memberships
        if (name := membership.liner_name.strip()) and membership.keeps_benefits(now, grace)
    }
    return sorted(names, key=str.casefold)


def liner_csv(names: list[str]) -> str:
    """The names as a one-column CSV, with its header."""
    return csv_text(["name"], ([name] for name in names))
