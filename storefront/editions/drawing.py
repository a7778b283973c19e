"""Copies are drawn when an order is paid and go back in the box when it is refunded.

Called by the editions mechanic, inside the payment's transaction. Draws of one
edition are serialised: a row lock on the edition on PostgreSQL; on SQLite the payment
already holds the single write lock (its first statement is a write). The unique
constraints on (edition, sequence) and (variant, number) back this up.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.database import lock_row
from storefront.editions.draw import CopyRef, pick
from storefront.editions.models import Copy, DrawLogEntry, Edition, Variant
from storefront.editions.services import (
    EditionError,
    copies_drawn_for,
    copies_left,
    editions_by_product,
    fan_copies,
    order_hash,
)
from storefront.orders.models import Order


def check_edition_caps(session: Session, *, lines: list) -> None:
    """Refuse a checkout beyond an edition's per-order cap, or for a closed edition."""
    editions = editions_by_product(session, {line.product.id for line in lines})
    for line in lines:
        edition = editions.get(line.product.id)
        if edition is None:
            continue
        if edition.closed_at is not None:
            raise EditionError(_closed_message(session, edition))
        if edition.per_order_cap and line.quantity > edition.per_order_cap:
            raise EditionError(
                _(
                    "At most %(cap)d copies of %(name)s per order.",
                    cap=edition.per_order_cap,
                    name=edition.name,
                )
            )


def hold_fan_caps(session: Session, order: Order) -> None:
    """Refuse an order that would give its fan more copies than the edition allows."""
    editions = editions_by_product(session, {line.product_id for line in order.lines})
    for line in order.lines:
        edition = editions.get(line.product_id)
        if edition is None or not edition.per_fan_cap:
            continue
        others = fan_copies(session, edition, order.fan_key, besides=order)
        if others + line.quantity > edition.per_fan_cap:
            raise EditionError(
                _(
                    "At most %(cap)d copies of %(name)s per fan.",
                    cap=edition.per_fan_cap,
                    name=edition.name,
                )
            )


def _closed_message(session: Session, edition: Edition) -> str:
    if not any(copies_left(session, edition).values()):
        return _("Sorry, the limited edition %(name)s is sold out.", name=edition.name)
    return _("The limited edition %(name)s is closed.", name=edition.name)


def draw_copies(session: Session, order: Order, *, now: datetime) -> None:
    """One copy per unit of each edition line, consecutive sequence numbers."""
    editions = editions_by_product(session, {line.product_id for line in order.lines})
    for line in order.lines:
        edition = editions.get(line.product_id)
        if edition is None:
            continue
        lock_row(session, Edition, edition.id)
        allowed = _copies_allowed(session, edition, order, line.quantity)
        for unit in range(line.quantity):
            if unit >= allowed:
                _owe(order, line.unit_cents(unit), edition, over_cap=True)
            elif edition.closed_at is not None or not _draw_one(session, edition, order, now):
                _owe(order, line.unit_cents(unit), edition)


def _copies_allowed(session: Session, edition: Edition, order: Order, wanted: int) -> int:
    """Checked again under the edition's lock: a payment never lifts a fan over the cap
    (a late payment for a lapsed order, say, after the fan checked out again)."""
    if not edition.per_fan_cap:
        return wanted
    drawn = copies_drawn_for(session, edition, order.fan_key)
    return max(0, min(wanted, edition.per_fan_cap - drawn))


def release_copies(session: Session, order: Order, *, now: datetime) -> None:
    """A refunded order that has not shipped puts its copies back in the box."""
    if order.shipped_at is not None:
        return
    copies = session.scalars(select(Copy).where(Copy.order_id == order.id).order_by(Copy.sequence))
    for copy in copies:
        edition = session.get(Edition, copy.edition_id)
        lock_row(session, Edition, edition.id)
        _log(session, edition, order, "release", order.client_seed or "", copy, now)
        copy.order_id, copy.sequence = None, None
    session.flush()


def _draw_one(session: Session, edition: Edition, order: Order, now: datetime) -> bool:
    # Plain rows, not ORM objects: the whole box is listed at every draw. `pick` orders
    # it and draws, the very code the fans' verifier replays.
    rows = session.execute(
        select(Copy.id, Variant.position, Copy.number)
        .join(Variant, Variant.id == Copy.variant_id)
        .where(Copy.edition_id == edition.id, Copy.order_id.is_(None))
    ).all()
    remaining = {CopyRef(position, number): copy_id for copy_id, position, number in rows}
    if not remaining:
        return False
    sequence = _next_sequence(session, edition)
    drawn = pick(edition.server_seed, order.client_seed or "", sequence, remaining)
    copy = session.get(Copy, remaining[drawn])
    copy.order_id, copy.sequence = order.id, sequence
    _log(session, edition, order, "draw", order.client_seed or "", copy, now, sequence)
    if len(remaining) == 1:
        edition.closed_at = now  # sold out: the seed can be revealed, no draw comes after
    return True


def _next_sequence(session: Session, edition: Edition) -> int:
    last = session.scalar(
        select(func.max(DrawLogEntry.sequence)).where(DrawLogEntry.edition_id == edition.id)
    )
    return (last or 0) + 1


def _log(
    session: Session,
    edition: Edition,
    order: Order,
    kind: str,
    client_seed: str,
    copy: Copy,
    now: datetime,
    sequence: int | None = None,
) -> None:
    session.add(
        DrawLogEntry(
            edition_id=edition.id,
            sequence=sequence or _next_sequence(session, edition),
            kind=kind,
            client_seed=client_seed,
            seed_made_by_server=order.client_seed_by_server,
            variant_id=copy.variant_id,
            number=copy.number,
            order_hash=order_hash(order.reference),
            at=now,
        )
    )
    session.flush()


def _owe(order: Order, cents: int, edition: Edition, *, over_cap: bool = False) -> None:
    order.owed_refund_cents += cents
    with force_locale(order.locale):
        if over_cap:
            order.notice = _(
                "You already have %(cap)d copies of the limited edition %(name)s, the most "
                "one fan may have: that part of your order is refunded.",
                cap=edition.per_fan_cap,
                name=edition.name,
            )
        else:
            order.notice = _(
                "The limited edition %(name)s sold out before your payment arrived: "
                "that part of your order is refunded.",
                name=edition.name,
            )
