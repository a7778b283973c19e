"""Setting up editions and reading them: variants, copies, caps, the public fairness data."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storefront.catalog.models import Product
from storefront.database import transactional
from storefront.editions.draw import commitment
from storefront.editions.models import (
    Copy,
    DrawLogEntry,
    Edition,
    RevealMode,
    Variant,
)
from storefront.errors import StorefrontError
from storefront.jsonout import json_time
from storefront.orders.models import Order, OrderLine
from storefront.orders.states import OrderStatus


class EditionError(StorefrontError):
    code = "edition_error"
    status = 409


def order_hash(reference: str) -> str:
    """A short public stand-in for an order reference in the draw log."""
    return hashlib.sha256(reference.encode()).hexdigest()[:12]


def new_edition(
    session: Session,
    *,
    product: Product,
    name: str,
    size: int,
    variants: list[tuple[str, int]],
    now: datetime,
    reveal_mode: str = RevealMode.AT_ONCE,
    per_order_cap: int | None = None,
    per_fan_cap: int | None = None,
) -> Edition:
    """A numbered run of a physical product whose variant counts add up to `size`,
    added to the caller's transaction (`create_edition` is the one-transaction call)."""
    check_counts(size, variants)
    if not product.is_physical:
        raise EditionError(_("Only a physical product can be a numbered edition."))
    seed = secrets.token_bytes(32)
    edition = Edition(
        product=product,
        name=name,
        size=size,
        server_seed=seed,
        commitment=commitment(seed),
        reveal_mode=reveal_mode,
        per_order_cap=per_order_cap,
        per_fan_cap=per_fan_cap,
        opened_at=now,
        variants=[
            Variant(name=v_name, count=count, position=position)
            for position, (v_name, count) in enumerate(variants)
        ],
    )
    session.add(edition)
    session.flush()
    session.add_all(
        Copy(
            edition_id=edition.id,
            variant_id=variant.id,
            number=number,
            card_code=secrets.token_urlsafe(12),
        )
        for variant in edition.variants
        for number in range(1, variant.count + 1)
    )
    return edition


create_edition = transactional(new_edition)


def check_counts(size: int, variants: list[tuple[str, int]]) -> None:
    """Refuse variant counts that are not positive, share a name or miss the run size."""
    if size <= 0:
        raise EditionError(_("An edition has at least one copy."))
    if not variants or any(count <= 0 for _name, count in variants):
        raise EditionError(_("Every variant needs a positive count."))
    if len({name.strip().lower() for name, _count in variants}) != len(variants):
        raise EditionError(_("Two variants have the same name."))
    total = sum(count for _name, count in variants)
    if total != size:
        raise EditionError(
            _(
                "The variants add up to %(total)d copies, the edition has %(size)d.",
                total=total,
                size=size,
            )
        )


def edition_for_product(session: Session, product_id: int) -> Edition | None:
    return session.scalar(select(Edition).where(Edition.product_id == product_id))


def editions_by_product(session: Session, product_ids: set[int]) -> dict[int, Edition]:
    if not product_ids:
        return {}
    editions = session.scalars(select(Edition).where(Edition.product_id.in_(product_ids)))
    return {edition.product_id: edition for edition in editions}


def copies_left(session: Session, edition: Edition) -> dict[int, int]:
    """Copies still in the box, by variant id: the odds are never hidden."""
    rows = session.execute(
        select(Copy.variant_id, func.count(Copy.id))
        .where(Copy.edition_id == edition.id, Copy.order_id.is_(None))
        .group_by(Copy.variant_id)
    ).all()
    left = dict(rows)
    return {variant.id: left.get(variant.id, 0) for variant in edition.variants}


def is_revealed(edition: Edition) -> bool:
    return edition.closed_at is not None


def fan_copies(session: Session, edition: Edition, fan_key: str, *, besides: Order) -> int:
    """Copies this fan holds or is reserving in other orders than `besides`."""
    drawn = session.scalar(
        select(func.count(Copy.id))
        .join(Order, Order.id == Copy.order_id)
        .where(Copy.edition_id == edition.id, Order.fan_key == fan_key, Order.id != besides.id)
    )
    held = session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.product_id == edition.product_id,
            Order.status == OrderStatus.PENDING,
            Order.fan_key == fan_key,
            Order.id != besides.id,
        )
    )
    return drawn + held


def copies_drawn_for(session: Session, edition: Edition, fan_key: str) -> int:
    """Copies already drawn for this fan (in any of their orders)."""
    return session.scalar(
        select(func.count(Copy.id))
        .join(Order, Order.id == Copy.order_id)
        .where(Copy.edition_id == edition.id, Order.fan_key == fan_key)
    )


def copies_of_order(session: Session, order: Order) -> list[Copy]:
    return list(
        session.scalars(
            select(Copy)
            .where(Copy.order_id == order.id)
            .options(selectinload(Copy.variant))
            .order_by(Copy.sequence)
        )
    )


def fairness(session: Session, edition: Edition) -> dict:
    """Everything needed to replay the edition's draws (the seed once revealed)."""
    left = copies_left(session, edition)
    log = session.scalars(
        select(DrawLogEntry)
        .where(DrawLogEntry.edition_id == edition.id)
        .options(selectinload(DrawLogEntry.variant))
        .order_by(DrawLogEntry.sequence)
    ).all()
    return {
        "edition": {
            "id": edition.id,
            "name": edition.name,
            "size": edition.size,
            "opened_at": json_time(edition.opened_at),
            "closed_at": json_time(edition.closed_at),
        },
        "variants": [
            {"name": v.name, "position": v.position, "count": v.count, "left": left[v.id]}
            for v in edition.variants
        ],
        "commitment": edition.commitment,
        "server_seed": edition.server_seed.hex() if is_revealed(edition) else None,
        "log": [
            {
                "sequence": e.sequence,
                "kind": e.kind,
                "client_seed": e.client_seed,
                "seed_made_by_server": e.seed_made_by_server,
                "variant": e.variant.name,
                "variant_position": e.variant.position,
                "number": e.number,
                "order": e.order_hash,
            }
            for e in log
        ],
    }


@transactional
def close_edition(session: Session, edition: Edition, *, now: datetime) -> None:
    """No more draws; the server seed is revealed so anyone can replay the log."""
    if edition.closed_at is None:
        edition.closed_at = now
