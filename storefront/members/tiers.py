"""The label's side of tiers: creating and editing them (admin services)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.database import transactional
from storefront.members.models import Tier

MAX_DISCOUNT_PERCENT = 50


@dataclass(frozen=True)
class TierFields:
    slug: str
    name: str
    description: str
    monthly_cents: int
    yearly_cents: int | None
    discount_percent: int
    early_access_hours: int
    free_digital: bool
    posts: bool
    liner_notes: bool
    member_cap: int | None
    active: bool
    stripe_monthly_price: str | None
    stripe_yearly_price: str | None


@transactional
def add_tier(session: Session, *, fields: TierFields) -> Tier:
    """A new tier, with no member yet."""
    _check_slug_free(session, fields.slug, tier_id=None)
    tier = Tier(**asdict(fields))
    session.add(tier)
    _flush_or_refuse(session, fields.slug)
    return tier


@transactional
def update_tier(session: Session, tier: Tier, *, fields: TierFields) -> Tier:
    """Change a tier; its cap never goes below the seats already taken."""
    _check_slug_free(session, fields.slug, tier_id=tier.id)
    values = asdict(fields)
    cap = fields.member_cap
    # Against the count as it is now, in the same statement: a fan joining meanwhile
    # is counted, never squeezed out.
    changed = session.execute(
        update(Tier)
        .where(Tier.id == tier.id, *([Tier.members <= cap] if cap is not None else []))
        .values(**values)
    ).rowcount
    if not changed:
        session.rollback()
        message = _l("More members than that hold a seat already: the cap cannot be lower.")
        raise CatalogRefused(str(message), field="member_cap")
    _flush_or_refuse(session, fields.slug)
    session.refresh(tier)
    return tier


def _check_slug_free(session: Session, slug: str, *, tier_id: int | None) -> None:
    query = select(Tier.id).where(Tier.slug == slug)
    if tier_id is not None:
        query = query.where(Tier.id != tier_id)
    if session.scalar(query) is not None:
        raise _slug_taken(slug)


def _flush_or_refuse(session: Session, slug: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:  # the same slug saved meanwhile
        session.rollback()
        raise _slug_taken(slug) from error


def _slug_taken(slug: str) -> CatalogRefused:
    message = _l("Another tier already uses the address “%(slug)s”.", slug=slug)
    return CatalogRefused(str(message), field="slug")
