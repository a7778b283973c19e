"""Reading the tour: every gig as a view built in one place, for the pages and the JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storefront.quests.models import Gig, Tour
from storefront.quests.times import LocalTimes, is_over, local_times


@dataclass(frozen=True)
class GigView:
    gig: Gig  # its columns: city, venue, country, ticket link, notes
    tour: Tour
    times: LocalTimes
    over: bool  # the curfew has passed


@dataclass(frozen=True)
class TourGroup:
    tour: Tour
    gigs: tuple[GigView, ...]


@dataclass(frozen=True)
class TourListing:
    upcoming: tuple[TourGroup, ...]  # soonest first
    past: tuple[TourGroup, ...]  # latest first


def gig_view(gig: Gig, *, now: datetime) -> GigView:
    times = local_times(gig.doors_at, gig.curfew_at, gig.timezone)
    return GigView(gig, gig.tour, times, is_over(gig.curfew_at, now))


def gig_by_id(session: Session, gig_id: int) -> Gig | None:
    return session.get(Gig, gig_id, options=[selectinload(Gig.tour)])


def tour_listing(session: Session, *, now: datetime) -> TourListing:
    """Every gig, upcoming ones soonest first and past ones latest first, by tour."""
    gigs = session.scalars(
        select(Gig).options(selectinload(Gig.tour)).order_by(Gig.doors_at, Gig.id)
    ).all()
    views = [gig_view(gig, now=now) for gig in gigs]
    upcoming = [view for view in views if not view.over]
    past = [view for view in reversed(views) if view.over]
    return TourListing(_grouped(upcoming), _grouped(past))


def _grouped(views: list[GigView]) -> tuple[TourGroup, ...]:
    """Tours in the order their first gig comes in `views`, each with its gigs in order."""
    groups: dict[int, list[GigView]] = {}
    for view in views:
        groups.setdefault(view.tour.id, []).append(view)
    return tuple(TourGroup(gigs[0].tour, tuple(gigs)) for gigs in groups.values())
