"""Limited editions as an orders mechanic: caps at checkout, copies drawn on payment and
put back on refund, and what an order shows of its copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.editions.drawing import (
    check_edition_caps,
    draw_copies,
    hold_fan_caps,
    release_copies,
)
from storefront.editions.public import OrderEdition, order_editions
from storefront.orders.mechanics import Link, Mechanic, OrderFacts, Section
from storefront.orders.models import Order


class EditionsMechanic(Mechanic):
    name = "editions"

    def check_cart(self, session: Session, *, lines: Sequence, email: str, now: datetime) -> None:
        check_edition_caps(session, lines=list(lines))

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        hold_fan_caps(session, order)

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        draw_copies(session, order, now=now)

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        release_copies(session, order, now=now)

    def order_facts(self, session: Session, order: Order, facts: OrderFacts) -> None:
        for view in order_editions(session, order):
            facts.sections.append(_edition_section(order, view))


def _edition_section(order: Order, view: OrderEdition) -> Section:
    section = Section(
        _("Limited edition: %(name)s", name=view.edition.name),
        css="edition-order",
        item_css="copy-label",
    )
    section.items.extend(copy.label for copy in view.copies)
    if view.sealed:
        section.hints.append(_("Sealed: your cover is revealed when your parcel ships"))
    if view.pending:
        section.hints.append(_("Your numbered copy is drawn when your payment arrives."))
    if order.client_seed and not view.pending:
        seed = _("Your seed for the draw: %(seed)s", seed=order.client_seed)
        if order.client_seed_by_server:
            seed += f" ({_('made by the shop')})"
        section.hints.append(
            f"{seed}. "
            + _("Your order appears in the public log as %(hash)s.", hash=view.order_hash)
        )
    section.links.append(
        Link(
            _("The public draw log: check that the draw is fair"),
            url_for("shop.edition_page", edition_id=view.edition.id),
        )
    )
    return section
