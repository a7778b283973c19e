"""Insert pools as an orders mechanic: inserts slipped in on payment, and what an order
tells its fan of them (`shown_inserts` holds the reveal rule, for the page and the mails)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from storefront.inserts.services import shown_inserts
from storefront.inserts.slipping import slip_inserts
from storefront.orders.mechanics import Mechanic, OrderFacts, Section
from storefront.orders.models import Order


class InsertsMechanic(Mechanic):
    name = "inserts"

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        slip_inserts(session, order)

    def order_facts(self, session: Session, order: Order, facts: OrderFacts) -> None:
        shown = shown_inserts(session, order)
        if shown:
            section = Section(_("In your parcel"), css="order-inserts")
            section.items.extend(_in_parcel(name, count) for name, count in shown)
            facts.sections.append(section)


def _in_parcel(name: str, count: int) -> str:
    return ngettext(
        "In your parcel too: %(insert)s!",
        "In your parcel too: %(num)d × %(insert)s!",  # noqa: RUF001 - the sign, as typeset
        count,
        insert=name,
    )
