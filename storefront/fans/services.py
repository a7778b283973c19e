"""What a fan's verified email already holds: buying never needs an account, so the
account reads what was done under the same email (`fan_key`), without copying it.

This is the one place that decides "this is the fan's": the account page, the export
and the erasure all ask it.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from storefront.editions.models import CardRedemption
from storefront.mail.models import OutboxMessage
from storefront.orders.fans import fan_key
from storefront.orders.models import Order
from storefront.quests.models import Passport


def orders_of(session: Session, key: str) -> list[Order]:
    """The orders under the email key `key` (a fan's `email_key`), guest ones included,
    latest first."""
    return list(
        session.scalars(
            select(Order)
            .where(Order.fan_key == key)
            .options(selectinload(Order.lines))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )


def passports_of(session: Session, key: str) -> list[Passport]:
    """The passports saved under one of the fan's spellings of the email; a passport
    joined into another is left out (its stamps live there now)."""
    return [
        passport
        for passport in _by_email(session, Passport, Passport.email, key)
        if passport.joined_into_id is None
    ]


def redemptions_of(session: Session, key: str) -> list[CardRedemption]:
    """The hidden-content cards the fan opened."""
    return _by_email(session, CardRedemption, CardRedemption.email, key)


def mails_of(session: Session, key: str) -> list[OutboxMessage]:
    """The mails the shop wrote to the fan (order mails, links), sent or not."""
    return _by_email(session, OutboxMessage, OutboxMessage.recipient, key)


def _by_email(session: Session, model: type, column: InstrumentedAttribute, key: str) -> list:
    """Rows of `model` whose `column` is an email of the fan's key. The query finds the
    key itself and its +tag spellings; `fan_key` has the last word on each."""
    local, _, domain = key.rpartition("@")
    tagged = f"{_like_escape(local)}+%@{_like_escape(domain)}"
    lowered = func.lower(column)
    rows = session.scalars(
        select(model)
        .where(or_(lowered == key, lowered.like(tagged, escape="\\")))
        .order_by(model.id)
    )
    return [row for row in rows if fan_key(getattr(row, column.key)) == key]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
