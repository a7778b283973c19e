"""Hidden-content cards: the code printed on a card in a copy opens the edition's hidden
content. The first email that redeems a code owns it; the same email may open it again,
any other is refused. Files are reached through a signed link that names the redemption
and is checked again on every visit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import qrcode
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from qrcode.image.pil import PilImage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storefront.database import transactional
from storefront.editions.models import CardRedemption, Copy, Edition
from storefront.errors import StorefrontError
from storefront.files import private_path
from storefront.signing import load_exact

SALT = "sillon.card"
# A file link works this long; after that the fan types the code and email again.
LINK_SECONDS = 6 * 3600


class CardUnknown(StorefrontError):
    code = "card_unknown"
    status = 404


class CardTaken(StorefrontError):
    code = "card_taken"
    status = 403


@dataclass(frozen=True)
class OpenedCard:
    """A card its owner may open: the copy it came in and the edition's hidden content."""

    copy: Copy
    redemption: CardRedemption
    first_time: bool

    @property
    def edition(self) -> Edition:
        return self.copy.variant.edition


def redeem_card(session: Session, *, code: str, email: str, now: datetime) -> OpenedCard:
    """Open the card with this code for this email: the first email owns it for good."""
    try:
        return _redeem(session, code.strip(), email.strip().lower(), now)
    except IntegrityError:
        # Another request claimed this card at the same moment: its owner is now known.
        return _redeem(session, code.strip(), email.strip().lower(), now)


@transactional
def _redeem(session: Session, code: str, email: str, now: datetime) -> OpenedCard:
    copy = session.scalar(
        select(Copy).where(Copy.card_code == code).options(selectinload(Copy.variant))
    )
    if copy is None:
        raise CardUnknown(
            _("This code is not one of ours. Check it on your card: upper and lower case count.")
        )
    redemption = session.scalar(select(CardRedemption).where(CardRedemption.copy_id == copy.id))
    if redemption is None:
        redemption = CardRedemption(copy_id=copy.id, email=email, at=now)
        session.add(redemption)
        session.flush()
        return OpenedCard(copy, redemption, first_time=True)
    if redemption.email != email:
        raise CardTaken(
            _(
                "This card was already opened with another email address: each card opens "
                "for one fan only. If it is yours, use the address you gave the first time."
            )
        )
    return OpenedCard(copy, redemption, first_time=False)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def card_token(opened: OpenedCard) -> str:
    """A signed link to the card's file; it names the redemption, not the email."""
    return _serializer().dumps([opened.redemption.id, opened.copy.id])


def open_card(session: Session, token: str) -> OpenedCard:
    """The card a file link names, if it is still redeemed; else CardUnknown."""
    try:
        redemption_id, copy_id = load_exact(_serializer(), token, max_age=LINK_SECONDS)
        redemption = session.get(CardRedemption, int(redemption_id))
    except (BadSignature, ValueError, TypeError) as error:
        raise CardUnknown(_link_expired()) from error
    if redemption is None or redemption.copy_id != copy_id:
        raise CardUnknown(_link_expired())
    return OpenedCard(session.get(Copy, copy_id), redemption, first_time=False)


def _link_expired() -> str:
    return _("This link has expired or is not valid: type your card's code and email again.")


def card_file(session: Session, token: str) -> Path:
    """The edition's hidden file (audio, video, PDF) in PRIVATE_DIR, for a valid link."""
    path = private_path(open_card(session, token).edition.card_file)
    if path is None:
        raise CardUnknown(_("This file is not available yet."))
    return path


def card_qr_png(url: str) -> bytes:
    """A QR code of `url` (the card's /cards/<code> link) as PNG, for printed cards."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer)
    return buffer.getvalue()
