"""Download grants: issued when an order is paid, counted on use, re-issuable."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.delivery.models import DownloadGrant
from storefront.delivery.tokens import DownloadClaim, TokenRefused, read_download, sign_download
from storefront.errors import DownloadUnavailable
from storefront.files import private_path
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus

DELIVERABLE = (OrderStatus.PAID, OrderStatus.SHIPPED)


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["DOWNLOAD_DAYS"])


def issue_grants(session: Session, order: Order, *, now: datetime) -> None:
    """Give the buyer of each digital line the right to download it."""
    existing = set(
        session.scalars(
            select(DownloadGrant.order_line_id).where(
                DownloadGrant.order_line_id.in_([line.id for line in order.lines])
            )
        )
    )
    for line in order.digital_lines:
        if line.id not in existing:
            session.add(
                DownloadGrant(
                    order_line=line,
                    issued_at=now,
                    expires_at=now + _lifetime(),
                    max_downloads=current_app.config["DOWNLOAD_LIMIT"],
                )
            )


def revoke_grants(session: Session, order: Order, *, now: datetime) -> None:
    """A refunded order keeps no downloads."""
    session.execute(
        update(DownloadGrant)
        .where(DownloadGrant.order_line_id.in_([line.id for line in order.lines]))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def grants_for(session: Session, order: Order) -> list[DownloadGrant]:
    return list(
        session.scalars(
            select(DownloadGrant)
            .where(DownloadGrant.order_line_id.in_([line.id for line in order.lines]))
            .order_by(DownloadGrant.id)
        )
    )


def download_token(grant: DownloadGrant) -> str:
    return sign_download(
        current_app.config["SECRET_KEY"], DownloadClaim(grant.id, grant.generation)
    )


@transactional
def use_download(session: Session, token: str, *, now: datetime) -> Path:
    """Count one download for the token's grant and return the file to send."""
    try:
        claim = read_download(
            current_app.config["SECRET_KEY"],
            token,
            max_age_seconds=int(_lifetime().total_seconds()),
        )
    except TokenRefused as refused:
        raise DownloadUnavailable(
            _("This download link has expired; ask for a new one from your order page.")
            if refused.expired
            else _("This download link is not valid.")
        ) from refused
    grant = session.get(DownloadGrant, claim.grant_id)
    if grant is None or grant.generation != claim.generation:
        raise DownloadUnavailable(_("This download link has been replaced by a newer one."))
    if grant.order_line.order.status not in DELIVERABLE or grant.expires_at <= now:
        raise DownloadUnavailable(
            _("This download link has expired; ask for a new one from your order page.")
        )
    counted = session.execute(
        update(DownloadGrant)
        .where(
            DownloadGrant.id == grant.id, DownloadGrant.downloads_used < DownloadGrant.max_downloads
        )
        .values(downloads_used=DownloadGrant.downloads_used + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        raise DownloadUnavailable(
            _("You have used every download of this link; ask for a new one from your order page.")
        )
    return _file_of(grant)


def _file_of(grant: DownloadGrant) -> Path:
    path = private_path(grant.order_line.product.download_path)
    if path is None:
        raise DownloadUnavailable(_("This file is not available yet; the label has been told."))
    return path


@transactional
def reissue_grants(session: Session, order: Order, *, now: datetime, limit: int) -> int:
    """Fresh links for a paid order, at most `limit` times per grant: older links stop
    working, the count starts again. Refused (DownloadUnavailable) beyond the limit."""
    if order.status not in DELIVERABLE:
        raise DownloadUnavailable(_("Downloads are available once the order is paid."))
    grants = grants_for(session, order)
    for grant in grants:
        # Conditional, so two clicks at once cannot both take the last re-issue.
        renewed = session.execute(
            update(DownloadGrant)
            .where(DownloadGrant.id == grant.id, DownloadGrant.reissues < limit)
            .values(
                generation=DownloadGrant.generation + 1,
                reissues=DownloadGrant.reissues + 1,
                issued_at=now,
                expires_at=now + _lifetime(),
                downloads_used=0,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not renewed:
            raise DownloadUnavailable(_reissues_used_up(limit))
        session.refresh(grant)
    return len(grants)


def reissues_left(grants: list[DownloadGrant], *, limit: int) -> int:
    """How many more times the fan may ask for fresh links for these grants."""
    return min((max(limit - grant.reissues, 0) for grant in grants), default=0)


def _reissues_used_up(limit: int) -> str:
    return ngettext(
        "New links were already sent %(num)d time, the most we can offer. Please write to "
        "the label with your order number: we will help.",
        "New links were already sent %(num)d times, the most we can offer. Please write to "
        "the label with your order number: we will help.",
        limit,
    )
