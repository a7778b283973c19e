"""Returns: units a fan sent back, why, what became of them (back on the shelf, or
written off) and the money given back through the order's own provider.

A return is counted under a lock on the order, so a unit is never returned twice, even
when two admins send the form at the same moment; the same form sent twice records
one return (its submission id)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.catalog.models import StockReason
from storefront.fulfilment.errors import FulfilmentRefused
from storefront.fulfilment.models import Return, ReturnLine, ReturnOutcome, ReturnReason
from storefront.fulfilment.parcels import lock_order, shipped_units, units_text
from storefront.inventory.moves import put_back
from storefront.orders.actions import refundable_cents
from storefront.orders.history import EventKind, amount_text, record_event
from storefront.orders.models import Order, OrderLine, Refund
from storefront.payments.label_actions import refund_part

REASON_LABELS = {
    ReturnReason.DAMAGED: _l("Damaged"),
    ReturnReason.WRONG_ITEM: _l("Wrong item sent"),
    ReturnReason.NOT_AS_DESCRIBED: _l("Not as described"),
    ReturnReason.CHANGED_MIND: _l("Changed their mind (withdrawal)"),
    ReturnReason.NOT_DELIVERED: _l("Not delivered: the carrier sent it back"),
    ReturnReason.OTHER: _l("Other"),
}
OUTCOME_LABELS = {
    ReturnOutcome.RESTOCK: _l("Back in stock"),
    ReturnOutcome.WRITE_OFF: _l("Written off"),
}


@dataclass(frozen=True)
class ReturnRequest:
    """What the return form says (checked by the form; the rules are checked here)."""

    quantities: Mapping[int, int]  # order line id -> units that came back
    reason: ReturnReason
    outcome: ReturnOutcome
    note: str
    refund_cents: int | None  # None: what those units cost, capped by what is left
    submission: str


def returned_units(session: Session, order: Order) -> dict[int, int]:
    """Units of each line (by id) returned so far."""
    rows = session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.order_id == order.id)
        .group_by(ReturnLine.order_line_id)
    ).all()
    return {line_id: int(units) for line_id, units in rows}


def returnable_units(session: Session, order: Order) -> dict[int, int]:
    """Units of each line that left (posted or handed over) and have not come back."""
    if not order.is_settled:
        return {}
    sent, back = shipped_units(session, order), returned_units(session, order)
    return {line_id: units - back.get(line_id, 0) for line_id, units in sent.items()}


def units_value(order: Order, already: Mapping[int, int], quantities: Mapping[int, int]) -> int:
    """What `quantities` of the order's lines cost the fan, discounts shared out to the
    cent, continuing after the `already` returned units so that returning every unit
    adds up to the lines' totals."""
    lines = {line.id: line for line in order.lines}
    return sum(
        lines[line_id].unit_cents(index)
        for line_id, units in quantities.items()
        for index in range(already.get(line_id, 0), already.get(line_id, 0) + units)
    )


def default_refund(session: Session, order: Order, quantities: Mapping[int, int]) -> int:
    """The amount a return of `quantities` refunds unless told otherwise."""
    value = units_value(order, returned_units(session, order), quantities)
    return min(value, refundable_cents(order))


def returns_of(session: Session, order: Order) -> list[Return]:
    """The order's returns, first first."""
    query = select(Return).where(Return.order_id == order.id).order_by(Return.id)
    return list(session.scalars(query))


def record_return(
    session: Session, order: Order, request: ReturnRequest, *, now: datetime, actor: str
) -> Return:
    """Record the return, put restocked units back on sale, and refund its amount through
    the order's provider; all in one transaction (the provider refused: nothing is kept).
    The same submission again gives the return it recorded."""
    try:
        lock_order(session, order)
        done = session.scalar(select(Return).where(Return.submission == request.submission))
        if done is not None:
            session.rollback()
            return done
        returned = _claim(session, order, request, now=now, actor=actor)
        if returned.refund_cents:
            _refund(session, order, returned, request, now=now, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return returned


def _claim(
    session: Session, order: Order, request: ReturnRequest, *, now: datetime, actor: str
) -> Return:
    """The return's rows, checked against what is left to return, and its stock moves."""
    quantities = {line_id: n for line_id, n in request.quantities.items() if n > 0}
    _check_units(session, order, quantities)
    amount = _amount(session, order, quantities, request.refund_cents)
    returned = Return(
        order_id=order.id,
        reason=request.reason,
        outcome=request.outcome,
        note=request.note,
        refund_cents=amount,
        actor=actor[:254],
        created_at=now,
        submission=request.submission,
        lines=[ReturnLine(order_line_id=i, quantity=n) for i, n in quantities.items()],
    )
    session.add(returned)
    session.flush()
    if request.outcome == ReturnOutcome.RESTOCK:
        _restock(session, order, returned, now=now, actor=actor)
    record_event(
        session, order, actor=actor, kind=EventKind.RETURN, detail=_detail(order, returned), now=now
    )
    return returned


def _check_units(session: Session, order: Order, quantities: Mapping[int, int]) -> None:
    left = returnable_units(session, order)
    lines = {line.id: line for line in order.lines}
    if not quantities:
        raise FulfilmentRefused(_("Choose at least one unit that came back."))
    for line_id, units in quantities.items():
        if line_id not in lines:
            raise FulfilmentRefused(_("That line is not one of this order's lines."))
        if units > left.get(line_id, 0):
            raise FulfilmentRefused(
                _(
                    "%(item)s: %(left)d unit(s) can come back, not %(units)d (units are returned "
                    "once, and only once they left).",
                    item=lines[line_id].description,
                    left=left.get(line_id, 0),
                    units=units,
                )
            )


def _amount(
    session: Session, order: Order, quantities: Mapping[int, int], typed: int | None
) -> int:
    if typed is None:
        return default_refund(session, order, quantities)
    if typed > refundable_cents(order):
        raise FulfilmentRefused(
            _(
                "At most %(amount)s is left to refund.",
                amount=amount_text(refundable_cents(order), order.currency),
            )
        )
    return typed


def _restock(
    session: Session, order: Order, returned: Return, *, now: datetime, actor: str
) -> None:
    for row in returned.lines:
        line: OrderLine = session.get(OrderLine, row.order_line_id)
        put_back(
            session,
            line.product,
            option_id=line.option_id,
            quantity=row.quantity,
            reason=StockReason.RETURN,
            actor=actor,
            now=now,
            detail=f"{order.reference}, return {returned.id}",
            order_id=order.id,
        )


def _refund(
    session: Session,
    order: Order,
    returned: Return,
    request: ReturnRequest,
    *,
    now: datetime,
    actor: str,
) -> None:
    """Refund through the order's provider (which commits the return with the refund),
    then tie the refund row to the return."""
    reason = _(
        "Return %(number)d: %(reason)s", number=returned.id, reason=REASON_LABELS[request.reason]
    )
    refund_part(
        session,
        order,
        amount_cents=returned.refund_cents,
        reason=reason,
        submission=f"return-{request.submission}",
        now=now,
        actor=actor,
    )
    returned.refund_id = session.scalar(
        select(Refund.id)
        .where(Refund.order_id == order.id, Refund.reason == reason)
        .order_by(Refund.id.desc())
        .limit(1)
    )


def _detail(order: Order, returned: Return) -> str:
    """The return for the history: units, reason, outcome, amount, note."""
    parts = (
        units_text(order, returned.lines),
        str(REASON_LABELS[ReturnReason(returned.reason)]),
        str(OUTCOME_LABELS[ReturnOutcome(returned.outcome)]),
        amount_text(returned.refund_cents, order.currency),
        returned.note,
    )
    return " · ".join(filter(None, parts))
