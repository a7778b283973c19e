"""The members' part of the Stripe webhook: which events are theirs and how they apply,
registered in `create_app` (payments hands them over without importing members)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.members.services import record_billing_event
from storefront.members.stripe_events import billing_event, is_billing_event
from storefront.payments.webhooks import EventRoute


def apply_stripe_event(session: Session, payload: dict, now: datetime) -> str:
    """Check the event's fields, store it by id, bring its membership up to date."""
    return record_billing_event(session, billing_event(payload), now=now)


route = EventRoute(claims=is_billing_event, apply=apply_stripe_event)
