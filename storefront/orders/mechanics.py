"""Mechanics: what other domains plug into orders.

Delivery, preorders, editions, inserts and mail each give orders one `Mechanic`; the
app factory lists them, in the order they run, in `create_app` (never by importing a
module), and `orders` calls them without knowing who they are. Every hook runs inside
the transaction of the change it reacts to, so what a mechanic writes commits or rolls
back with it. A hook refuses by raising a StorefrontError.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from storefront.orders.models import Order


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # a path on this shop; mails put PUBLIC_URL in front
    note: str = ""  # said after the link: "unlocked"


@dataclass
class LineFacts:
    """What mechanics say about one line (cart or order): notes shown under it."""

    notes: list[str] = field(default_factory=list)
    ships_on: date | None = None  # a preorder: the promised date


@dataclass
class Section:
    """A block of the order page and mails that a mechanic owns (an edition, a preorder):
    a title, lines of text, links (private ones are signed) and hints."""

    title: str
    items: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    css: str = ""
    item_css: str = ""


@dataclass
class OrderFacts:
    """What mechanics add to one order, by line id and as sections."""

    lines: dict[int, LineFacts] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)

    def line(self, line_id: int) -> LineFacts:
        return self.lines.setdefault(line_id, LineFacts())


class Mechanic:
    """The hooks a mechanic may override; each does nothing by default."""

    name = "mechanic"

    def check_cart(self, session: Session, *, lines: Sequence, email: str, now: datetime) -> None:
        """Before anything is reserved: refuse priced cart lines (a closed campaign...)."""

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        """In the checkout's transaction, stock taken, the fan's other checkouts waiting:
        per-fan caps count here."""

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        """The order is paid (its stock is held)."""

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        """The order expired or was canceled unpaid; its stock went back."""

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        """Everything the order cost was given back."""

    def shipped(self, session: Session, order: Order, *, now: datetime) -> None:
        """The label posted the parcel."""

    def cart_facts(self, session: Session, lines: Sequence, *, now: datetime) -> dict:
        """Facts about priced cart lines, by cart key: {key: LineFacts}."""
        return {}

    def order_facts(self, session: Session, order: Order, facts: OrderFacts) -> None:
        """Add this mechanic's facts about `order` to `facts`."""


class Mechanics:
    """The mechanics of one app, in the order they run (the one list in `create_app`)."""

    def __init__(self, mechanics: Iterable[Mechanic]) -> None:
        self.all: tuple[Mechanic, ...] = tuple(mechanics)

    def check_cart(self, session: Session, *, lines: Sequence, email: str, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.check_cart(session, lines=lines, email=email, now=now)

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.hold(session, order, now=now)

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.paid(session, order, now=now)

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.released(session, order, now=now)

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.refunded(session, order, now=now)

    def shipped(self, session: Session, order: Order, *, now: datetime) -> None:
        for mechanic in self.all:
            mechanic.shipped(session, order, now=now)

    def cart_facts(self, session: Session, lines: Sequence, *, now: datetime) -> dict:
        merged: dict = {}
        for mechanic in self.all:
            for key, facts in mechanic.cart_facts(session, lines, now=now).items():
                into = merged.setdefault(key, LineFacts())
                into.notes.extend(facts.notes)
                into.ships_on = into.ships_on or facts.ships_on
        return merged

    def order_facts(self, session: Session, order: Order) -> OrderFacts:
        facts = OrderFacts()
        for mechanic in self.all:
            mechanic.order_facts(session, order, facts)
        return facts


def install(app, mechanics: Iterable[Mechanic]) -> None:
    """Give `app` its mechanics (called once, by `create_app`)."""
    app.extensions["mechanics"] = Mechanics(mechanics)


def mechanics() -> Mechanics:
    """The running app's mechanics."""
    return current_app.extensions["mechanics"]
