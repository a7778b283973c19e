"""Collectif Larsen's merch stand: Genève's night counted back (one T-shirt missing),
and tonight's stand in Lausanne with a few sales, so `/stand` and its summary show both."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.quests.models import Gig, Tour
from storefront.stand.sales import PaymentMethod, SaleLine, StandSale, record_sale
from storefront.stand.stock import allocate, reconcile, stand_rows

STAFF = "stand@bruitblanc.example"


def load_stand(session: Session, tour: Tour, *, now: datetime) -> None:
    cd, shirt = _larsen_products(session)
    medium, large = shirt.options[1], shirt.options[2]
    geneve, lausanne = (
        next(g for g in tour.gigs if g.city == city) for city in ("Genève", "Lausanne")
    )
    _night(session, geneve, cd, shirt, (medium, large), sales=((2, 1), (1, 0), (0, 2)), now=now)
    rows = stand_rows(session, geneve)
    counted = {row.id: row.left - (1 if row.option_id == large.id else 0) for row in rows}
    reconcile(
        session,
        geneve,
        brought_back=counted,
        actor=STAFF,
        now=geneve.curfew_at + timedelta(hours=1),
    )
    _night(session, lausanne, cd, shirt, (medium, large), sales=((1, 0), (2, 1)), now=now)


def _larsen_products(session: Session) -> tuple[Product, Product]:
    release = session.scalar(
        select(Release).where(Release.slug == "collectif-larsen-retours-de-scene")
    )
    cd = next(p for p in release.products if p.name == "CD digipack")
    shirt = next(p for p in release.products if p.name.startswith("T-shirt"))
    return cd, shirt


def _night(session, gig: Gig, cd, shirt, sizes, *, sales, now: datetime) -> None:
    """Stock taken to the stand before doors, then `sales` (CDs, shirts in size M)."""
    before = min(gig.doors_at - timedelta(hours=2), now)
    allocate(session, gig, cd, option_id=None, units=15, actor=STAFF, now=before)
    for size in sizes:
        allocate(session, gig, shirt, option_id=size.id, units=4, actor=STAFF, now=before)
    for number, (cds, shirts) in enumerate(sales):
        lines = tuple(
            line
            for line in (SaleLine(cd.id, None, cds), SaleLine(shirt.id, sizes[0].id, shirts))
            if line.quantity
        )
        method = PaymentMethod.TERMINAL if number % 2 else PaymentMethod.CASH
        sale = StandSale(f"demo-{gig.id}-{number:04d}", lines, method)
        at = min(gig.doors_at + timedelta(minutes=20 * (number + 1)), now)
        record_sale(
            session, gig, sale, staff=STAFF, online_provider="test", now=at, reservation_minutes=30
        )
