"""The shape of a Stripe webhook event: what the shop reads from it, each field checked.

Pure: no Flask, no database. A signed event is still outside input (a bug, a replayed
test fixture, an API version we never saw), so nothing reads a field before its type is
known here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Ids, references and types are stored or compared in VARCHAR columns: plain ASCII only,
# so NUL bytes, lone surrogates and megabyte strings never reach the database.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]{1,200}", re.ASCII)
_CURRENCY = re.compile(r"[A-Za-z]{3}", re.ASCII)
# Amounts land in 32-bit INTEGER columns; Stripe's own ceilings are far below this.
MAX_AMOUNT = 2**31 - 1
MAX_TYPE_LENGTH = 80
# Stripe lists at most 100 refunds in one page; a charge refunded more often than that
# is not something a record shop does.
MAX_REFUNDS = 100

SESSION_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
SESSION_FAILED = "checkout.session.async_payment_failed"
SESSION_EXPIRED = "checkout.session.expired"
CHARGE_REFUNDED = "charge.refunded"
HANDLED = (*SESSION_PAID, SESSION_FAILED, SESSION_EXPIRED, CHARGE_REFUNDED)


class InvalidEvent(ValueError):
    """The body is not a Stripe event the shop can read; `str(error)` says why."""


@dataclass(frozen=True)
class StripeRefund:
    """One refund of a charge, by Stripe's own id (`re_...`)."""

    id: str
    amount: int
    status: str | None = None

    @property
    def counts(self) -> bool:
        """Money given back or on its way: a failed or canceled refund gave nothing."""
        return self.status not in ("failed", "canceled")


@dataclass(frozen=True)
class StripeEvent:
    """A Stripe event reduced to the fields the shop reads, each of a checked type."""

    id: str
    type: str
    object_id: str | None = None
    reference: str | None = None  # client_reference_id, else metadata.order_reference
    payment_intent: str | None = None
    payment_status: str | None = None
    amount_total: int | None = None
    currency: str | None = None
    amount_refunded: int | None = None
    # charge.refunded: every refund of the charge, newest first; None when the event does
    # not list them all (recent API versions list none), so they are asked from Stripe.
    refunds: tuple[StripeRefund, ...] | None = None

    @property
    def is_handled(self) -> bool:
        return self.type in HANDLED


def parse_event(body: str) -> StripeEvent:
    """Read a (verified) webhook body; raises InvalidEvent for anything but an event."""
    try:
        payload = json.loads(body)
    except RecursionError as error:  # thousands of nested `[`: refuse, do not crash
        raise InvalidEvent("The JSON is nested too deeply.") from error
    except ValueError as error:  # not JSON, or an integer with thousands of digits
        raise InvalidEvent("The body is not JSON.") from error
    return event_from(payload)


def event_from(payload: object) -> StripeEvent:
    """Check the fields the shop reads; types it does not handle keep only id and type."""
    if not isinstance(payload, dict):
        raise InvalidEvent("The event is not a JSON object.")
    event_id = _identifier(payload, "id", required=True)
    event_type = _identifier(payload, "type", required=True)
    if len(event_type) > MAX_TYPE_LENGTH:
        raise InvalidEvent("type is too long.")
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidEvent("data.object is not a JSON object.")
    if event_type not in HANDLED:
        return StripeEvent(id=event_id, type=event_type)
    obj = data["object"]
    return StripeEvent(
        id=event_id,
        type=event_type,
        object_id=_identifier(obj, "id", required=event_type == CHARGE_REFUNDED),
        reference=_reference(obj),
        payment_intent=_identifier(obj, "payment_intent"),
        payment_status=_identifier(obj, "payment_status", required=event_type in SESSION_PAID),
        amount_total=_amount(obj, "amount_total", required=event_type in SESSION_PAID),
        currency=_currency(obj, required=event_type in SESSION_PAID),
        amount_refunded=_amount(obj, "amount_refunded", required=event_type == CHARGE_REFUNDED),
        refunds=refund_list(obj.get("refunds")) if event_type == CHARGE_REFUNDED else None,
    )


def refund_list(listed: object) -> tuple[StripeRefund, ...] | None:
    """A Stripe list of refunds (`{"data": [...], "has_more": false}`), each checked; None
    when it is absent or says more refunds exist than it holds."""
    if listed is None:
        return None
    if not isinstance(listed, dict):
        raise InvalidEvent("refunds is not a JSON object.")
    data, has_more = listed.get("data"), listed.get("has_more", False)
    if not isinstance(data, list) or len(data) > MAX_REFUNDS:
        raise InvalidEvent("refunds.data is not a list of refunds.")
    if not isinstance(has_more, bool):
        raise InvalidEvent("refunds.has_more is not true or false.")
    refunds = tuple(refund_from(item) for item in data)
    return None if has_more else refunds


def refund_from(item: object) -> StripeRefund:
    """One refund object, its id, amount and status checked."""
    if not isinstance(item, dict):
        raise InvalidEvent("a refund is not a JSON object.")
    return StripeRefund(
        id=_identifier(item, "id", required=True),
        amount=_amount(item, "amount", required=True),
        status=_identifier(item, "status"),
    )


def _reference(obj: dict) -> str | None:
    metadata = obj.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidEvent("metadata is not a JSON object.")
    # Both are checked, even when the first is enough: a bad field is a bad event.
    from_session = _identifier(obj, "client_reference_id")
    from_metadata = _identifier(metadata or {}, "order_reference")
    return from_session or from_metadata


def _identifier(obj: dict, name: str, *, required: bool = False) -> str | None:
    value = _present(obj, name, required)
    if value is not None and not (isinstance(value, str) and _IDENTIFIER.fullmatch(value)):
        raise InvalidEvent(f"{name} is not an identifier.")
    return value


def _amount(obj: dict, name: str, *, required: bool = False) -> int | None:
    value = _present(obj, name, required)
    # bool is an int in Python, and JSON's 1.0 is not an amount in cents.
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT
    ):
        raise InvalidEvent(f"{name} is not an amount in cents.")
    return value


def _currency(obj: dict, *, required: bool) -> str | None:
    value = _present(obj, "currency", required)
    if value is not None and not (isinstance(value, str) and _CURRENCY.fullmatch(value)):
        raise InvalidEvent("currency is not a currency code.")
    return value


def _present(obj: dict, name: str, required: bool) -> object:
    value = obj.get(name)
    if value is None and required:
        raise InvalidEvent(f"{name} is missing.")
    return value
