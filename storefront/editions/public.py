"""Editions as fans see them: an order's copies (with the reveal rule) and the counts
left per variant. Read-only helpers for pages and mails.

The reveal rule lives here only, so the order page and the mails never disagree: a copy
of a sealed edition (a mystery cover) stays hidden until the order has shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.editions.models import Copy, Edition, RevealMode
from storefront.editions.services import (
    copies_left,
    copies_of_order,
    editions_by_product,
    order_hash,
)
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus


@dataclass(frozen=True)
class CopyView:
    """A drawn copy the fan may see: "No. 17/40 — silver"."""

    number: int
    count: int
    variant: str

    @property
    def label(self) -> str:
        return _(
            "No. %(number)d/%(count)d — %(variant)s",
            number=self.number,
            count=self.count,
            variant=self.variant,
        )


@dataclass(frozen=True)
class OrderEdition:
    """One edition as an order sees it."""

    edition: Edition
    copies: tuple[CopyView, ...]  # shown: revealed at once, or the order has shipped
    sealed: int  # copies drawn but kept sealed until the parcel ships
    pending: bool  # not paid yet: nothing drawn so far
    order_hash: str  # how the order appears in the public log


@dataclass(frozen=True)
class VariantCount:
    name: str
    count: int
    left: int


@dataclass(frozen=True)
class EditionSummary:
    """An edition on the release page: the same for every visitor."""

    id: int
    name: str
    size: int
    variants: tuple[VariantCount, ...]
    closed: bool

    @property
    def left(self) -> int:
        return sum(variant.left for variant in self.variants)


def editions_in(session: Session, product_ids: set[int]) -> list[Edition]:
    """The editions among these products (a cart's, an order's), in a stable order."""
    return sorted(editions_by_product(session, product_ids).values(), key=lambda e: e.id)


def order_editions(session: Session, order: Order) -> list[OrderEdition]:
    """For each edition the order buys, what the fan may see of its copies."""
    editions = editions_in(session, {line.product_id for line in order.lines})
    if not editions:
        return []
    copies = copies_of_order(session, order)
    views = []
    for edition in editions:
        mine = [copy for copy in copies if copy.edition_id == edition.id]
        pending = order.status == OrderStatus.PENDING
        if not (mine or pending):
            continue
        revealed = edition.reveal_mode == RevealMode.AT_ONCE or order.has_shipped
        views.append(
            OrderEdition(
                edition=edition,
                copies=tuple(_copy_view(copy) for copy in mine) if revealed else (),
                sealed=0 if revealed else len(mine),
                pending=pending,
                order_hash=order_hash(order.reference),
            )
        )
    return views


def _copy_view(copy: Copy) -> CopyView:
    return CopyView(copy.number, copy.variant.count, copy.variant.name)


def edition_summary(session: Session, edition: Edition) -> EditionSummary:
    left = copies_left(session, edition)
    return EditionSummary(
        id=edition.id,
        name=edition.name,
        size=edition.size,
        variants=tuple(VariantCount(v.name, v.count, left[v.id]) for v in edition.variants),
        closed=edition.closed_at is not None,
    )


def release_editions(session: Session, release: Release) -> dict[int, EditionSummary]:
    """Product id → its edition's summary, for the products of a release that have one."""
    editions = editions_in(session, {product.id for product in release.products})
    return {edition.product_id: edition_summary(session, edition) for edition in editions}
