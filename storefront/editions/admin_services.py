"""The label's side of editions: setting them up, closing them, and what the admin reads
(copies drawn and left per variant).

Each public write is one transaction and raises EditionRefused (naming the form field it
concerns) when it breaks an edition rule. Once a copy has been drawn the run is fixed: the
variants and the size are part of what the public log replays.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storefront.catalog.admin_services import CatalogRefused
from storefront.catalog.models import Product
from storefront.database import lock_row, transactional
from storefront.editions import services
from storefront.editions.models import (
    Copy,
    DrawLogEntry,
    Edition,
    RevealMode,
    Variant,
)

Variants = tuple[tuple[str, int], ...]


class EditionRefused(CatalogRefused):
    """An edition edit breaks a rule; `field` names the form field it concerns."""

    code = "edition_refused"


def _refuse(message, field: str | None = None) -> EditionRefused:
    return EditionRefused(str(message), field=field)


def draws_started(session: Session, edition: Edition) -> bool:
    """Whether the public log has an entry: from then on the run is fixed."""
    query = select(DrawLogEntry.id).where(DrawLogEntry.edition_id == edition.id).limit(1)
    return session.scalar(query) is not None


def run_is_fixed(session: Session, edition: Edition) -> bool:
    """Whether the size and the variants (and what is spread over them) may no longer
    change: a copy was drawn, or the edition closed."""
    return draws_started(session, edition) or edition.closed_at is not None


# --- editions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EditionFields:
    name: str
    size: int
    variants: Variants
    reveal_mode: str = RevealMode.AT_ONCE
    per_order_cap: int | None = None
    per_fan_cap: int | None = None
    card_content: str = ""
    remove_card_file: bool = False


@transactional
def create_edition(
    session: Session,
    product: Product,
    *,
    fields: EditionFields,
    now: datetime,
    card_file: str | None = None,
) -> Edition:
    """A numbered run of a physical product, its copies numbered and given card codes."""
    if not product.is_physical:
        raise _refuse(_l("Only a physical product can be a numbered edition."), "product")
    if services.edition_for_product(session, product.id) is not None:
        raise _refuse(_l("This product already has a numbered edition."), "product")
    _check_settings(fields)
    try:
        edition = services.new_edition(
            session,
            product=product,
            name=fields.name,
            size=fields.size,
            variants=list(fields.variants),
            now=now,
            reveal_mode=fields.reveal_mode,
            per_order_cap=fields.per_order_cap,
            per_fan_cap=fields.per_fan_cap,
        )
    except services.EditionError as error:
        raise _refuse(error.message, "variants") from None
    _apply_card(edition, fields, card_file)
    return edition


@transactional
def update_edition(
    session: Session,
    edition: Edition,
    *,
    fields: EditionFields,
    card_file: str | None = None,
    promised: int = 0,
) -> Edition:
    """Change an edition; its variants and size only until the first draw or the close,
    and the size never below `promised` places (inserts spread over the run)."""
    _check_settings(fields)
    if _run_of(edition) != (fields.size, fields.variants):
        lock_row(session, Edition, edition.id)  # as a draw does: none can slip in while we renumber
        if run_is_fixed(session, edition):
            message = _l(
                "Copies have been drawn (or the edition is closed): "
                "the variants and the size can no longer change."
            )
            raise _refuse(message, "variants")
        _renumber(session, edition, fields, promised)
    edition.name = fields.name
    edition.reveal_mode = fields.reveal_mode
    edition.per_order_cap, edition.per_fan_cap = fields.per_order_cap, fields.per_fan_cap
    _apply_card(edition, fields, card_file)
    return edition


def _run_of(edition: Edition) -> tuple[int, Variants]:
    return edition.size, tuple((v.name, v.count) for v in edition.variants)


def _check_settings(fields: EditionFields) -> None:
    if not fields.name.strip():
        raise _refuse(_l("Give the edition a name."), "name")
    if fields.size < 1:
        raise _refuse(_l("An edition has at least one copy."), "size")
    if fields.reveal_mode not in set(RevealMode):
        raise _refuse(_l("Choose when fans see their copy."), "reveal_mode")
    for cap, name in ((fields.per_order_cap, "per_order_cap"), (fields.per_fan_cap, "per_fan_cap")):
        if cap is not None and cap < 1:
            raise _refuse(_l("A cap is at least 1 copy; leave it empty for no cap."), name)
    if fields.per_order_cap and fields.per_fan_cap and fields.per_order_cap > fields.per_fan_cap:
        message = _l("The cap per order cannot be above the cap per fan.")
        raise _refuse(message, "per_order_cap")


def _renumber(session: Session, edition: Edition, fields: EditionFields, promised: int) -> None:
    """New variants and copies before any draw; a copy keeping its variant name and number
    keeps its card code (cards may be printed already)."""
    try:
        services.check_counts(fields.size, list(fields.variants))
    except services.EditionError as error:
        raise _refuse(error.message, "variants") from None
    if promised > fields.size:
        message = _l("An insert pool holds %(count)d inserts: more than the run.", count=promised)
        raise _refuse(message, "size")
    old = session.execute(
        select(Variant.name, Copy.number, Copy.card_code)
        .join(Variant, Variant.id == Copy.variant_id)
        .where(Copy.edition_id == edition.id)
    ).all()
    codes = {(name.casefold(), number): code for name, number, code in old}
    session.execute(delete(Copy).where(Copy.edition_id == edition.id))
    edition.variants.clear()
    session.flush()
    edition.size = fields.size
    edition.variants = [
        Variant(name=name, count=count, position=position)
        for position, (name, count) in enumerate(fields.variants)
    ]
    session.flush()
    session.add_all(
        Copy(
            edition_id=edition.id,
            variant_id=variant.id,
            number=number,
            card_code=codes.get((variant.name.casefold(), number)) or secrets.token_urlsafe(12),
        )
        for variant in edition.variants
        for number in range(1, variant.count + 1)
    )


def _apply_card(edition: Edition, fields: EditionFields, card_file: str | None) -> None:
    """The card's text; a new file replaces the current one, which may also be removed."""
    edition.card_content = fields.card_content
    if card_file:
        edition.card_file = card_file
    elif fields.remove_card_file:
        edition.card_file = None


def close_by_hand(session: Session, edition: Edition, *, now: datetime) -> None:
    """No more draws: the server seed is revealed so anyone can replay the log."""
    if edition.closed_at is not None:
        raise _refuse(_l("This edition is already closed."))
    services.close_edition(session, edition, now=now)


# --- what the admin reads ---------------------------------------------------------------


@dataclass(frozen=True)
class VariantFigure:
    name: str
    count: int
    left: int

    @property
    def drawn(self) -> int:
        return self.count - self.left


def variant_figures(session: Session, edition: Edition) -> list[VariantFigure]:
    """Each variant with its copies drawn (held by orders) and still in the box."""
    left = services.copies_left(session, edition)
    return [VariantFigure(v.name, v.count, left[v.id]) for v in edition.variants]
