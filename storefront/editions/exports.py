"""Hidden-content cards for the printer: one row per copy (number, variant, code, redeem
link) as CSV, and the same rows with each card's QR image for a printable sheet."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.csvout import csv_text
from storefront.editions.cards import card_qr_png
from storefront.editions.models import Copy, Edition, Variant

CSV_HEADER = ("number", "variant", "code", "redeem_url")


@dataclass(frozen=True)
class CardRow:
    """One copy's card, in the edition's canonical order (variant position, then number)."""

    number: int
    count: int  # copies of its variant: the card reads "No. number/count"
    variant: str
    code: str
    url: str


def redeem_url(public_url: str, code: str) -> str:
    """Where a card's code (and its QR) leads: PUBLIC_URL/cards/<code>."""
    return f"{public_url.rstrip('/')}/cards/{code}"


def card_rows(session: Session, edition: Edition, public_url: str) -> list[CardRow]:
    """Every copy of the edition with its card code and redeem link."""
    rows = session.execute(
        select(Copy.number, Variant.count, Variant.name, Copy.card_code)
        .join(Variant, Variant.id == Copy.variant_id)
        .where(Copy.edition_id == edition.id)
        .order_by(Variant.position, Copy.number)
    ).all()
    return [
        CardRow(number, count, name, code, redeem_url(public_url, code))
        for number, count, name, code in rows
    ]


def cards_csv(rows: list[CardRow]) -> str:
    """The rows as CSV text with a header line."""
    return csv_text(CSV_HEADER, ((row.number, row.variant, row.code, row.url) for row in rows))


def qr_data_uri(url: str) -> str:
    """The QR image of `url` as a data: URI (the admin's pages allow data: images)."""
    return "data:image/png;base64," + base64.b64encode(card_qr_png(url)).decode("ascii")


def card_sheet(rows: list[CardRow]) -> list[tuple[CardRow, str]]:
    """Each card with its QR image as a data: URI, for the printable sheet."""
    return [(row, qr_data_uri(row.url)) for row in rows]
