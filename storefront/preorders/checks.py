"""Checkout refuses preorders outside their window or beyond the per-fan limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.orders.models import Order
from storefront.orders.signals import order_opening, order_reserving
from storefront.preorders.services import check_fan_limits, check_preorder_lines


@order_opening.connect
def refuse_closed_preorders(
    cart, *, session: Session, lines: list, email: str, now: datetime
) -> None:
    check_preorder_lines(session, lines=lines, now=now)


@order_reserving.connect
def hold_preorder_limits(order: Order, *, session: Session, now: datetime) -> None:
    check_fan_limits(session, order=order)
