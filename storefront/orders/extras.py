"""What other domains add to an order's page and mails (ship dates, bonuses, rewards).

A provider takes (session, order) and returns a dict merged into the template context;
`orders` calls them without knowing who they are, as with its signals.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from storefront.orders.models import Order

ExtrasProvider = Callable[[Session, Order], dict]
_providers: list[ExtrasProvider] = []


def order_extras(provider: ExtrasProvider) -> ExtrasProvider:
    """Register `provider` (used as a decorator)."""
    _providers.append(provider)
    return provider


def extras_for(session: Session, order: Order) -> dict:
    context: dict = {}
    for provider in _providers:
        context.update(provider(session, order))
    return context
