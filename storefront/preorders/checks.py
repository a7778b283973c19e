"""Checkout refuses preorders outside their window or beyond the per-fan limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.orders.signals import order_opening
from storefront.preorders.services import check_preorder_lines


@order_opening.connect
def refuse_invalid_preorders(
    cart, *, session: Session, lines: list, email: str, now: datetime
) -> None:
    check_preorder_lines(session, lines=lines, email=email, now=now)
