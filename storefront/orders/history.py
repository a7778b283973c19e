"""An order's history: every status change, payment, refund, provider event and mail,
with who did it. Written by the services in the transaction of the change itself."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.clock import utcnow
from storefront.orders.models import Order, OrderEvent

# Who acts when no person does: the shop itself (a page read, checkout), Stripe (its
# webhook), the fan (their pages), a cron job. A person is named by their email.
SHOP, STRIPE, FAN, CRON = "shop", "stripe", "fan", "cron"


class EventKind(StrEnum):
    PLACED = "placed"
    STATUS = "status"
    PAYMENT = "payment"
    REFUND = "refund"
    MAIL = "mail"
    PROVIDER = "provider_event"
    PARCEL = "parcel"  # a parcel posted, all the order's units or part of them
    RETURN = "return"  # units the fan sent back, and what became of them


def record_event(
    session: Session,
    order: Order,
    *,
    actor: str,
    kind: EventKind,
    detail: str = "",
    before: str | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> OrderEvent:
    """Add one line to `order`'s history, in the caller's transaction."""
    event = OrderEvent(
        order_id=order.id,
        at=now or utcnow(),
        actor=actor[:254],
        kind=kind,
        detail=detail,
        status_before=before,
        status_after=after,
    )
    session.add(event)
    return event


def amount_text(cents: int, currency: str) -> str:
    """`1250, "EUR"` -> `"12.50 EUR"`: money as the history writes it, in any language."""
    return f"{cents // 100}.{cents % 100:02d} {currency}"


def history_of(session: Session, order: Order) -> list[OrderEvent]:
    """`order`'s history in the order it happened, newest last."""
    # By id, not by time: one transaction's lines share a `now`, and callers' clocks vary.
    return list(
        session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
    )
