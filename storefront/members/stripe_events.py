"""Stripe Billing events as the members domain reads them, each field checked. Pure.

Which events are a membership's: subscriptions, invoices, and the checkout sessions of
mode=subscription (an order's sessions are mode=payment and stay with payments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storefront.members.lifecycle import (
    CHECKOUT_COMPLETED,
    CHECKOUT_EXPIRED,
    INVOICE_FAILED,
    INVOICE_PAID,
    SUBSCRIPTION_TYPES,
    Fact,
    from_timestamp,
)
from storefront.payments.events import InvalidEvent

_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]{1,200}", re.ASCII)
_MEMBERSHIP_REFERENCE = re.compile(r"membership-(\d{1,12})", re.ASCII)
MAX_TIMESTAMP = 2**40
INVOICE_TYPES = (INVOICE_PAID, INVOICE_FAILED)


@dataclass(frozen=True)
class BillingEvent:
    fact: Fact
    subscription_id: str | None = None
    customer_id: str | None = None
    # The membership the checkout or subscription metadata names (ours, set at checkout).
    membership_id: int | None = None


def membership_reference(membership_id: int) -> str:
    """The checkout session's client_reference_id for a membership."""
    return f"membership-{membership_id}"


def is_billing_event(payload: dict) -> bool:
    """A membership's event: subscriptions, invoices, subscription checkout sessions."""
    kind = payload.get("type")
    if not isinstance(kind, str):
        return False
    if kind.startswith(("customer.subscription.", "invoice.")):
        return True
    obj = (payload.get("data") or {}).get("object")
    return (
        kind.startswith("checkout.session.")
        and isinstance(obj, dict)
        and obj.get("mode") == "subscription"
    )


def billing_event(payload: dict) -> BillingEvent:
    """Read a verified event (parse_event checked its envelope); InvalidEvent otherwise."""
    obj = payload["data"]["object"]
    kind = _identifier(payload, "type", required=True)
    fact = Fact(
        id=_identifier(payload, "id", required=True),
        type=kind,
        created=from_timestamp(_timestamp(payload, "created", required=True)),
    )
    if kind in SUBSCRIPTION_TYPES:
        return _subscription_event(fact, obj)
    if kind in INVOICE_TYPES:
        return _invoice_event(fact, obj)
    if kind in (CHECKOUT_COMPLETED, CHECKOUT_EXPIRED):
        return BillingEvent(
            fact,
            subscription_id=_identifier(obj, "subscription"),
            customer_id=_identifier(obj, "customer"),
            membership_id=_membership_id(obj),
        )
    return BillingEvent(fact)


def subscription_fact(fact: Fact, obj: dict) -> Fact:
    """`fact` with the subscription's snapshot (status, period end, cancellation)."""
    cancel = obj.get("cancel_at_period_end", False)
    if not isinstance(cancel, bool):
        raise InvalidEvent("cancel_at_period_end is not true or false.")
    end = _timestamp(obj, "current_period_end") or _item_period_end(obj)
    return Fact(
        id=fact.id,
        type=fact.type,
        created=fact.created,
        status=_identifier(obj, "status", required=True),
        current_period_end=from_timestamp(end) if end else None,
        cancel_at_period_end=cancel,
    )


def _subscription_event(fact: Fact, obj: dict) -> BillingEvent:
    return BillingEvent(
        subscription_fact(fact, obj),
        subscription_id=_identifier(obj, "id", required=True),
        customer_id=_identifier(obj, "customer"),
        membership_id=_membership_id(obj),
    )


def _invoice_event(fact: Fact, obj: dict) -> BillingEvent:
    # Older API versions name the subscription at the top; recent ones under `parent`.
    parent = obj.get("parent") or {}
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    nested = _identifier(details, "subscription") if isinstance(details, dict) else None
    return BillingEvent(
        fact,
        subscription_id=_identifier(obj, "subscription") or nested,
        customer_id=_identifier(obj, "customer"),
    )


def _item_period_end(obj: dict) -> int | None:
    # Since API 2025-03-31 the period lives on each subscription item.
    items = obj.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    return _timestamp(data[0], "current_period_end")


def _membership_id(obj: dict) -> int | None:
    metadata = obj.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidEvent("metadata is not a JSON object.")
    given = _identifier(metadata, "membership_id")
    if given is not None:
        if not given.isdigit() or len(given) > 12:
            raise InvalidEvent("metadata.membership_id is not a membership id.")
        return int(given)
    reference = _identifier(obj, "client_reference_id") or ""
    match = _MEMBERSHIP_REFERENCE.fullmatch(reference)
    return int(match[1]) if match else None


def _identifier(obj: dict, name: str, *, required: bool = False) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise InvalidEvent(f"{name} is missing.")
        return None
    if not (isinstance(value, str) and _IDENTIFIER.fullmatch(value)):
        raise InvalidEvent(f"{name} is not an identifier.")
    return value


def _timestamp(obj: dict, name: str, *, required: bool = False) -> int | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise InvalidEvent(f"{name} is missing.")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_TIMESTAMP:
        raise InvalidEvent(f"{name} is not a timestamp.")
    return value
