"""Digital delivery as an orders mechanic: download grants on payment, none after a refund."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.delivery.services import issue_grants, revoke_grants
from storefront.orders.mechanics import Mechanic
from storefront.orders.models import Order


class DeliveryMechanic(Mechanic):
    name = "delivery"

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        issue_grants(session, order, now=now)

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        revoke_grants(session, order, now=now)
