"""Reading the catalog for fan pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.models import Product, Release

LOW_STOCK = 20


@dataclass(frozen=True)
class Shelf:
    current: list[Release]
    upcoming: list[Release]


def home_shelf(session: Session, *, today: date) -> Shelf:
    """Published releases: out now (newest first) and upcoming (soonest first)."""
    releases = session.scalars(
        select(Release).where(Release.published.is_(True)).order_by(Release.release_date.desc())
    ).all()
    current = [release for release in releases if not release.is_upcoming(today)]
    upcoming = sorted((r for r in releases if r.is_upcoming(today)), key=lambda r: r.release_date)
    return Shelf(current, upcoming)


def release_by_slug(session: Session, slug: str) -> Release | None:
    """A published release with its tracks and products loaded in two more queries."""
    return session.scalar(
        select(Release)
        .where(Release.slug == slug, Release.published.is_(True))
        .options(
            selectinload(Release.tracks),
            selectinload(Release.products).selectinload(Product.options),
        )
    )


def stock_state(units_left: int | None) -> tuple[str, int | None]:
    """("available" | "low" | "sold_out", units to show) for a stock figure; None = unlimited."""
    if units_left is None:
        return "available", None
    if units_left <= 0:
        return "sold_out", 0
    if units_left <= LOW_STOCK:
        return "low", units_left
    return "available", units_left
