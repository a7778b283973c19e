"""What the stand plugs into orders: a stand sale's units come from its gig's stand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.orders.mechanics import Mechanic
from storefront.orders.models import Order
from storefront.orders.states import Channel
from storefront.stand.stock import give_back_stand_units, take_stand_units


class StandMechanic(Mechanic):
    name = "stand"

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        # Also run again when a lapsed phone payment arrives late: the units must still
        # be on the stand.
        if order.channel == Channel.STAND:
            take_stand_units(session, order)

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        if order.channel == Channel.STAND:
            give_back_stand_units(session, order)
