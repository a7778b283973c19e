"""What discounts plug into orders: a code's use is held with the order's stock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.discounts.services import give_back_use, take_use
from storefront.orders.mechanics import Mechanic
from storefront.orders.models import Order


class DiscountsMechanic(Mechanic):
    name = "discounts"

    def hold(self, session: Session, order: Order, *, now: datetime) -> None:
        # Also run again for a late payment on a lapsed order: the code must still be free.
        if order.discount_code_id:
            take_use(session, order.discount_code_id)

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        if order.discount_code_id:
            give_back_use(session, order.discount_code_id)
