"""The privacy export and the erasure of an account: the fan row, then each registered
`FanData` part (app.extensions["fan_data"]). The parts of what the fan's email already
holds (orders, passports, cards, mails) are written here, over `storefront.fans.services`.

Erasing keeps what the label's accounts must keep (an order, its lines and totals) with
nothing left that names the fan: its email, address and `fan_key` are replaced, so no
per-fan cap counts it for anyone any more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.editions.models import CardRedemption, Copy
from storefront.fans.models import Fan, SignInLink
from storefront.fans.plugins import FanData
from storefront.fans.services import mails_of, orders_of, passports_of, redemptions_of
from storefront.jsonout import json_time
from storefront.orders.models import Order
from storefront.preorders.models import Backing
from storefront.quests.models import Passport


def export_fan(session: Session, fan: Fan, parts: Iterable[FanData]) -> dict[str, Any]:
    """Everything held about `fan`, as one JSON-ready object."""
    data: dict[str, Any] = {
        "fan": {
            "email": fan.email,
            "name": fan.name,
            "note": fan.note,
            "created_at": json_time(fan.created_at),
            "last_signed_in_at": json_time(fan.last_signed_in_at),
        }
    }
    for part in parts:
        data[part.name] = part.export(session, fan)
    return data


@transactional
def delete_fan(session: Session, fan: Fan, parts: Iterable[FanData], *, now: datetime) -> None:
    """Erase each part, then the account itself (its sessions end with it)."""
    for part in parts:
        part.erase(session, fan, now=now)
    session.execute(delete(SignInLink).where(SignInLink.email == fan.email))
    session.delete(fan)


class OrdersData:
    name = "orders"

    def export(self, session: Session, fan: Fan) -> list[dict[str, Any]]:
        return [_order_data(order) for order in orders_of(session, fan.email_key)]

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        for order in orders_of(session, fan.email_key):
            anonymous = f"deleted-{order.id}@invalid"
            session.execute(
                update(Backing).where(Backing.order_id == order.id).values(email=anonymous)
            )
            order.email, order.fan_key = anonymous, f"deleted:{order.reference}"
            order.ship_name = order.ship_line1 = order.ship_line2 = None
            order.ship_postal_code = order.ship_city = None


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "status": order.status,
        "email": order.email,
        "created_at": json_time(order.created_at),
        "paid_at": json_time(order.paid_at),
        "shipped_at": json_time(order.shipped_at),
        "shipping_address": {
            "name": order.ship_name,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "postal_code": order.ship_postal_code,
            "city": order.ship_city,
            "country": order.ship_country,
        },
        "currency": order.currency,
        "subtotal_cents": order.subtotal_cents,
        "discount_cents": order.discount_cents,
        "shipping_cents": order.shipping_cents,
        "total_cents": order.total_cents,
        "refunded_cents": order.refunded_cents,
        "lines": [
            {
                "description": line.description,
                "kind": line.kind,
                "quantity": line.quantity,
                "unit_price_cents": line.unit_price_cents,
                "discount_cents": line.discount_cents,
            }
            for line in order.lines
        ],
    }


class PassportsData:
    name = "passports"

    def export(self, session: Session, fan: Fan) -> list[dict[str, Any]]:
        return [_passport_data(passport) for passport in passports_of(session, fan.email_key)]

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        # The stamps stay with the phone's cookie, which names no one.
        for passport in passports_of(session, fan.email_key):
            passport.email, passport.saved_at = None, None


def _passport_data(passport: Passport) -> dict[str, Any]:
    return {
        "email": passport.email,
        "created_at": json_time(passport.created_at),
        "saved_at": json_time(passport.saved_at),
        "stamps": [
            {
                "city": stamp.quest.gig.city,
                "venue": stamp.quest.gig.venue,
                "doors_at": json_time(stamp.quest.gig.doors_at),
                "claimed_at": json_time(stamp.claimed_at),
            }
            for stamp in passport.stamps
        ],
        "badges": [
            {"name": grant.badge.name, "granted_at": json_time(grant.granted_at)}
            for grant in passport.badges
        ],
    }


class CardsData:
    name = "card_redemptions"

    def export(self, session: Session, fan: Fan) -> list[dict[str, Any]]:
        return [_card_data(session, card) for card in redemptions_of(session, fan.email_key)]

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        # The card stays opened (it opens once), for no one any more.
        for redemption in redemptions_of(session, fan.email_key):
            redemption.email = ""


def _card_data(session: Session, card: CardRedemption) -> dict[str, Any]:
    copy = session.get(Copy, card.copy_id)
    return {
        "edition": copy.variant.edition.name,
        "copy": copy.label,
        "email": card.email,
        "opened_at": json_time(card.at),
    }


class MailsData:
    name = "mails"

    def export(self, session: Session, fan: Fan) -> list[dict[str, Any]]:
        return [
            {
                "to": mail.recipient,
                "subject": mail.subject,
                "body": mail.body,
                "written_at": json_time(mail.created_at),
                "sent_at": json_time(mail.sent_at),
            }
            for mail in mails_of(session, fan.email_key)
        ]

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        # Order mails quote the address; one still queued is not sent either.
        for mail in mails_of(session, fan.email_key):
            session.delete(mail)
