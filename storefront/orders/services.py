"""Order state changes: expiry, cancellation, payment, refunds, shipping.

Every status change goes through `_move`: the transition table (`states.py`) says
from which statuses it may happen, and one conditional UPDATE on the order's status
claims it, so two concurrent callers (a webhook and the sweeper, two webhooks) never
both apply it. The app's mechanics react in the same transaction, and the change is
written to the order's history (`history.py`) with who made it: `actor`, passed down by
the caller ("shop" when none says).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.database import serialize_on, transactional
from storefront.errors import InvalidTransition, NotEnoughStock, StorefrontError
from storefront.orders.actions import may_ship
from storefront.orders.carriers import CARRIERS, carrier_name
from storefront.orders.history import SHOP, EventKind, amount_text, record_event
from storefront.orders.mechanics import mechanics
from storefront.orders.models import Order, Refund
from storefront.orders.states import OrderStatus, sources_of
from storefront.orders.stock import give_back_order_stock, take_order_stock


class PaymentOutcome(StrEnum):
    PAID = "paid"
    ALREADY_RECORDED = "already_recorded"
    NEEDS_REFUND = "needs_refund"


def hold_for_fan(session: Session, order: Order, *, now: datetime) -> None:
    """Count the order against its fan's caps while the fan's other checkouts wait.

    Called inside the transaction that takes the order's stock, after a first write;
    a cap that would be passed raises, and the whole transaction is rolled back."""
    serialize_on(session, f"fan:{order.fan_key}")
    mechanics().hold(session, order, now=now)


def _move(
    session: Session,
    order: Order,
    target: OrderStatus,
    *,
    now: datetime,
    actor: str = SHOP,
    detail: str = "",
    only_from: frozenset[OrderStatus] | None = None,
    **values,
) -> bool:
    """Move `order` to `target` from a status the transition table allows (narrowed to
    `only_from`) and write the change to its history; True if this caller made the
    change, False if the order was elsewhere."""
    sources = sources_of(target)
    if only_from is not None:
        if not only_from <= sources:
            raise ValueError(f"{sorted(only_from)} -> {target} is not in the transition table")
        sources = only_from
    # Compare-and-set on the status just read, so the history names the very status this
    # UPDATE replaced. A miss means another transaction moved the order meanwhile: read
    # again. Statuses only move forward, so a few rounds always settle it.
    for _round in range(len(OrderStatus)):
        before = session.scalar(select(Order.status).where(Order.id == order.id))
        if before not in sources:
            break
        moved = session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == before)
            .values(status=target, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            session.refresh(order)
            record_event(
                session,
                order,
                actor=actor,
                kind=EventKind.STATUS,
                detail=detail,
                before=before,
                after=target,
                now=now,
            )
            return True
    session.refresh(order)
    return False


def _release(
    session: Session, order: Order, *, status: OrderStatus, now: datetime, actor: str
) -> bool:
    if not _move(session, order, status, now=now, actor=actor, closed_at=now, stock_held=False):
        return False
    give_back_order_stock(session, order)
    mechanics().released(session, order, now=now)
    return True


@transactional
def expire_order(session: Session, order: Order, *, now: datetime, actor: str = SHOP) -> bool:
    """End an unpaid order's reservation and give its stock back."""
    return _release(session, order, status=OrderStatus.EXPIRED, now=now, actor=actor)


def expire_due_orders(session: Session, *, now: datetime, actor: str = SHOP) -> int:
    """Expire every pending order whose reservation has run out; how many were expired."""
    due = session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING, Order.reserved_until <= now)
    ).all()
    return sum(expire_order(session, order, now=now, actor=actor) for order in due)


@transactional
def cancel_order(session: Session, order: Order, *, now: datetime, actor: str = SHOP) -> bool:
    """The fan (or the label) gave up an unpaid order, or its payment failed: give the
    stock back. False when the order is no longer pending."""
    return _release(session, order, status=OrderStatus.CANCELED, now=now, actor=actor)


@transactional
def record_payment(
    session: Session, order: Order, *, payment_id: str, now: datetime, actor: str = SHOP
) -> PaymentOutcome:
    """Record that the fan paid. Idempotent: a second call changes nothing.

    A payment for an expired or canceled order is honoured when its stock can still be
    taken; otherwise the order is marked for an automatic refund.
    """
    claimed = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.paid_at.is_(None))
        .values(paid_at=now, provider_payment_id=payment_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(order)
    if not claimed:
        return PaymentOutcome.ALREADY_RECORDED
    record_event(session, order, actor=actor, kind=EventKind.PAYMENT, detail=payment_id, now=now)
    pending = frozenset({OrderStatus.PENDING})
    if _move(session, order, OrderStatus.PAID, now=now, actor=actor, only_from=pending):
        return _paid(session, order, now)
    if not _take_back(session, order, now):
        return PaymentOutcome.NEEDS_REFUND
    _move(session, order, OrderStatus.PAID, now=now, actor=actor, stock_held=True)
    return _paid(session, order, now)


def _take_back(session: Session, order: Order, now: datetime) -> bool:
    """Take a lapsed order's stock again for its late payment, within the fan's caps;
    False (nothing taken, the reason in the order's notice) when that cannot be."""
    try:
        take_order_stock(session, order)
    except NotEnoughStock as shortage:
        _sold_out_meanwhile(order, shortage)
        return False
    try:
        hold_for_fan(session, order, now=now)
    except StorefrontError as refusal:
        give_back_order_stock(session, order)
        if isinstance(refusal, NotEnoughStock):  # a stand's own stock, held by its mechanic
            _sold_out_meanwhile(order, refusal)
            return False
        with force_locale(order.locale):
            order.notice = _(
                "Your payment arrived after your reservation ended, and meanwhile you "
                "reached the limit per fan with another order: you are refunded in full."
            )
        return False
    return True


def _sold_out_meanwhile(order: Order, shortage: NotEnoughStock) -> None:
    with force_locale(order.locale):
        order.notice = _(
            "Your payment arrived after your reservation ended, and %(item)s sold out "
            "meanwhile: you are refunded in full.",
            item=shortage.name,
        )


def _paid(session: Session, order: Order, now: datetime) -> PaymentOutcome:
    mechanics().paid(session, order, now=now)
    return PaymentOutcome.PAID


@transactional
def record_refund(
    session: Session,
    order: Order,
    *,
    amount_cents: int,
    provider_refund_id: str | None,
    reason: str,
    now: datetime,
    actor: str = SHOP,
) -> bool:
    """Record money given back; a refund already recorded (same provider id) is ignored.

    The order becomes `refunded` once everything it cost has been given back.
    """
    return _record_refund(session, order, amount_cents, provider_refund_id, reason, now, actor)


@transactional
def record_refunds(
    session: Session,
    order: Order,
    refunds: Iterable[tuple[str, int]],
    *,
    reason: str,
    now: datetime,
    actor: str = SHOP,
) -> int:
    """Record refunds (provider id, amount) in one transaction; how many were new."""
    return sum(
        _record_refund(session, order, amount, refund_id, reason, now, actor)
        for refund_id, amount in refunds
    )


def _record_refund(
    session: Session,
    order: Order,
    amount_cents: int,
    provider_refund_id: str | None,
    reason: str,
    now: datetime,
    actor: str,
) -> bool:
    _lock_refunds(session, order)
    if provider_refund_id and session.scalar(
        select(Refund.id).where(Refund.provider_refund_id == provider_refund_id)
    ):
        return False
    amount_cents = min(amount_cents, order.total_cents - order.refunded_cents)
    if amount_cents <= 0:
        return False
    session.add(
        Refund(
            order=order,
            amount_cents=amount_cents,
            provider_refund_id=provider_refund_id,
            reason=reason,
            created_at=now,
        )
    )
    order.refunded_cents += amount_cents
    detail = f"{amount_text(amount_cents, order.currency)}, {reason} ({provider_refund_id or '-'})"
    record_event(session, order, actor=actor, kind=EventKind.REFUND, detail=detail, now=now)
    if order.refunded_cents >= order.total_cents:
        _refunded(session, order, now, actor)
    return True


def _lock_refunds(session: Session, order: Order) -> None:
    """Make refunds of one order wait for each other until commit (a row lock on
    PostgreSQL, the write lock on SQLite), then read the order as the last one left it:
    Stripe's webhook and the API call that made a refund may record it at the same time."""
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_cents=Order.refunded_cents)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)


def _refunded(session: Session, order: Order, now: datetime, actor: str) -> None:
    # Units still on the shelf go back on sale; a parcel already posted keeps its own.
    restock = order.stock_held and not order.shipped_at
    closed = {"closed_at": now, "stock_held": False}
    if not _move(session, order, OrderStatus.REFUNDED, now=now, actor=actor, **closed):
        raise InvalidTransition(f"Order {order.reference} is {order.status}: no refund.")
    if restock:
        give_back_order_stock(session, order)
    mechanics().refunded(session, order, now=now)


@transactional
def mark_shipped(
    session: Session,
    order: Order,
    *,
    now: datetime,
    carrier: str | None = None,
    tracking_number: str | None = None,
    actor: str = SHOP,
) -> None:
    """The label posted the parcel, with `carrier` (a code of `carriers.CARRIERS`) and
    its tracking number; the mechanics tell the fan (the mail)."""
    finish_shipping(
        session, order, now=now, carrier=carrier, tracking_number=tracking_number, actor=actor
    )


def check_carrier(carrier: str | None) -> None:
    """Refuse a carrier code the shop does not know (None: not said)."""
    if carrier is not None and carrier not in CARRIERS:
        raise StorefrontError(_("“%(carrier)s” is not a carrier the shop knows.", carrier=carrier))


def finish_shipping(
    session: Session,
    order: Order,
    *,
    now: datetime,
    carrier: str | None,
    tracking_number: str | None,
    actor: str,
) -> None:
    """`mark_shipped` in the caller's transaction: fulfilment calls it when the parcel
    it records carries the order's last units (earlier parcels leave the order paid)."""
    check_carrier(carrier)
    shipment = {"shipped_at": now, "carrier": carrier, "tracking_number": tracking_number}
    detail = " ".join(filter(None, (carrier_name(carrier or ""), tracking_number)))
    if not may_ship(order) or not _move(
        session, order, OrderStatus.SHIPPED, now=now, actor=actor, detail=detail, **shipment
    ):
        raise InvalidTransition(
            _(
                "Order %(reference)s is %(status)s: it cannot be marked shipped.",
                reference=order.reference,
                status=order.status,
            )
        )
    mechanics().shipped(session, order, now=now)
