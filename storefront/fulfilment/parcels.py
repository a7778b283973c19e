"""Parcels: some units of some lines now, the rest later. The order becomes `shipped`
(through `orders.services.finish_shipping`, which tells the fan) when its last physical
unit leaves; every earlier parcel mails the fan its own tracking link.

A parcel is counted under a lock on the order, so two parcels sent at once never post
more units than the order holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.errors import InvalidTransition
from storefront.fulfilment.errors import FulfilmentRefused
from storefront.fulfilment.models import Shipment, ShipmentLine
from storefront.mail.messages import queue_order_mail
from storefront.orders.actions import may_ship
from storefront.orders.carriers import carrier_name
from storefront.orders.history import EventKind, record_event
from storefront.orders.models import Order
from storefront.orders.services import check_carrier, finish_shipping


def lock_order(session: Session, order: Order) -> None:
    """Make the transactions that count this order's units run one after the other until
    commit (a row lock on PostgreSQL; on SQLite the write lock, as this is the first
    write), then read the order as the last one left it."""
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status=Order.status)
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)


def shipped_units(session: Session, order: Order) -> dict[int, int]:
    """Units of each line (by id) that left in a parcel. An order marked shipped before
    parcels were recorded, or handed over at the stand, has sent everything."""
    if order.has_shipped and not _has_parcels(session, order):
        return {line.id: line.quantity for line in order.lines if line.is_physical}
    rows = session.execute(
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order.id)
        .group_by(ShipmentLine.order_line_id)
    ).all()
    return {line_id: int(units) for line_id, units in rows}


def _has_parcels(session: Session, order: Order) -> bool:
    return (
        session.scalar(select(Shipment.id).where(Shipment.order_id == order.id).limit(1))
        is not None
    )


def units_to_ship(session: Session, order: Order) -> dict[int, int]:
    """Units of each physical line (by id) still waiting for a parcel (0 once sent)."""
    sent = shipped_units(session, order)
    return {
        line.id: line.quantity - sent.get(line.id, 0) for line in order.lines if line.is_physical
    }


def parcels_of(session: Session, order: Order) -> list[Shipment]:
    """The order's parcels, first posted first."""
    return list(
        session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))
    )


def post_parcel(
    session: Session,
    order: Order,
    *,
    quantities: Mapping[int, int] | None,
    carrier: str | None,
    tracking_number: str | None,
    now: datetime,
    actor: str,
) -> Shipment:
    """Post `quantities` (line id -> units; None: everything left) of `order` in one
    parcel, in the caller's transaction; FulfilmentRefused (nothing recorded) for units
    the order does not wait for."""
    check_carrier(carrier)
    lock_order(session, order)
    if not may_ship(order):
        raise InvalidTransition(
            _(
                "Order %(reference)s is %(status)s: it cannot be marked shipped.",
                reference=order.reference,
                status=order.status,
            )
        )
    left = units_to_ship(session, order)
    wanted = dict(left) if quantities is None else _checked(order, left, quantities)
    shipment = Shipment(
        order_id=order.id,
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_at=now,
        actor=actor[:254],
        lines=[ShipmentLine(order_line_id=i, quantity=n) for i, n in wanted.items() if n > 0],
    )
    session.add(shipment)
    session.flush()
    last = all(left[line_id] == wanted.get(line_id, 0) for line_id in left)
    whole = last and all(left[line.id] == line.quantity for line in order.lines if line.is_physical)
    # An order posted whole in one parcel: its status change (with carrier and number)
    # is the parcel's line in the history; a part says which units left.
    if not whole:
        detail = _detail(order, shipment, last)
        record_event(session, order, actor=actor, kind=EventKind.PARCEL, detail=detail, now=now)
    if last:
        finish_shipping(
            session, order, now=now, carrier=carrier, tracking_number=tracking_number, actor=actor
        )
    else:
        # The order page and the mail show the latest parcel's tracking.
        order.carrier, order.tracking_number = carrier, tracking_number
        queue_order_mail(session, order, "order_shipped", actor=actor)
    return shipment


# One parcel as its own transaction (the order page's forms); a batch calls post_parcel.
ship_parcel = transactional(post_parcel)


def _checked(order: Order, left: dict[int, int], quantities: Mapping[int, int]) -> dict[int, int]:
    descriptions = {line.id: line.description for line in order.lines}
    for line_id, units in quantities.items():
        if line_id not in left:
            raise FulfilmentRefused(_("That line is not one of this order's physical lines."))
        if units < 0 or units > left[line_id]:
            raise FulfilmentRefused(
                _(
                    "%(item)s: %(left)d unit(s) wait to ship, not %(units)d.",
                    item=descriptions[line_id],
                    left=left[line_id],
                    units=units,
                )
            )
    wanted = {line_id: units for line_id, units in quantities.items() if units > 0}
    if not wanted:
        raise FulfilmentRefused(_("Choose at least one unit to put in the parcel."))
    return wanted


def _detail(order: Order, shipment: Shipment, last: bool) -> str:
    """The parcel for the history: its units, carrier and number, and whether more follow."""
    carrier = " ".join(
        filter(None, (carrier_name(shipment.carrier or ""), shipment.tracking_number))
    )
    ending = _("last parcel") if last else _("rest to follow")
    return " · ".join(filter(None, (units_text(order, shipment.lines), carrier, ending)))


def units_text(order: Order, rows: Iterable) -> str:
    """Rows with `order_line_id` and `quantity` (a parcel's, a return's) as units times item."""
    descriptions = {line.id: line.description for line in order.lines}
    return ", ".join(
        f"{row.quantity} × {descriptions[row.order_line_id]}"  # noqa: RUF001 - the sign
        for row in rows
    )
