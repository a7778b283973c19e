"""Free downloads: while a member of a tier with `free_digital`, a fan may download the
digital album of every *new* release: one out (release date today or earlier) and dated
on or after the day the membership started (`started_at`, else `created_at`).

No order is made: nothing is sold. A link names the fan and the product, is signed and
works MEMBER_LINK_HOURS (the release page and /account make fresh ones); each use counts
against DOWNLOAD_LIMIT per fan and product, like a bought download's grant, and is
refused once the membership no longer keeps its benefits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storefront.catalog.models import Product, ProductKind, Release
from storefront.database import transactional
from storefront.errors import DownloadUnavailable, LinkRefused
from storefront.fans.models import Fan
from storefront.files import private_path
from storefront.links import read_link, timed_serializer
from storefront.members.benefits import benefits_for, current_membership
from storefront.members.models import MemberDownload, Membership

SALT = "sillon.member-download"


class NotAMember(DownloadUnavailable):
    status = 403


@dataclass(frozen=True)
class FreeDownload:
    release: Release
    product: Product
    token: str
    downloads_left: int


def is_new_for(membership: Membership, release: Release, *, now: datetime) -> bool:
    """Out by `now` and dated on or after the day the membership started."""
    started = membership.started_at or membership.created_at
    return started.date() <= release.release_date <= now.date()


def free_download(
    session: Session, fan_id: int | None, release: Release, *, now: datetime, grace: timedelta
) -> FreeDownload | None:
    """The member's free download of `release`, or None when it gives none."""
    membership = _giving_membership(session, fan_id, now, grace)
    if membership is None or not is_new_for(membership, release, now=now):
        return None
    product = _digital_product(release)
    return _offer(session, membership.fan_id, product) if product else None


def free_downloads(
    session: Session, fan_id: int, *, now: datetime, grace: timedelta
) -> list[FreeDownload]:
    """Every free download the member has now, newest release first (for /account)."""
    membership = _giving_membership(session, fan_id, now, grace)
    if membership is None:
        return []
    started = (membership.started_at or membership.created_at).date()
    releases = session.scalars(
        select(Release)
        .where(Release.release_date >= started, Release.release_date <= now.date())
        .options(joinedload(Release.products))
        .order_by(Release.release_date.desc(), Release.id.desc())
    ).unique()
    offers = (_digital_product(release) for release in releases)
    return [_offer(session, fan_id, product) for product in offers if product]


@transactional
def use_free_download(session: Session, token: str, *, now: datetime, grace: timedelta) -> Path:
    """Count one use of a free-download link and return the file to send."""
    fan_id, product_id = _read(token)
    product = session.get(Product, product_id)
    membership = _giving_membership(session, fan_id, now, grace)
    if (
        product is None
        or membership is None
        or not is_new_for(membership, product.release, now=now)
    ):
        raise NotAMember(
            _l("This free download is for members only, while their membership lasts.")
        )
    path = private_path(product.download_path)
    if path is None:
        raise DownloadUnavailable(_l("This file is not available yet; the label has been told."))
    _count_use(session, fan_id, product_id, now)
    return path


def _count_use(session: Session, fan_id: int, product_id: int, now: datetime) -> None:
    try:
        with session.begin_nested():  # two first downloads at once: one row
            session.add(MemberDownload(fan_id=fan_id, product_id=product_id, first_at=now))
    except IntegrityError:
        pass
    counted = session.execute(
        update(MemberDownload)
        .where(
            MemberDownload.fan_id == fan_id,
            MemberDownload.product_id == product_id,
            MemberDownload.downloads_used < _limit(),
        )
        .values(downloads_used=MemberDownload.downloads_used + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        raise DownloadUnavailable(
            _l("You have used every free download of this album; write to the label for help.")
        )


def _giving_membership(
    session: Session, fan_id: int | None, now: datetime, grace: timedelta
) -> Membership | None:
    if fan_id is None:
        return None
    membership = current_membership(session, fan_id, now=now, grace=grace)
    return membership if membership and membership.tier.free_digital else None


def _digital_product(release: Release) -> Product | None:
    return next(
        (
            product
            for product in sorted(release.products, key=lambda p: (p.position, p.id))
            if product.active and product.kind == ProductKind.DIGITAL and product.download_path
        ),
        None,
    )


def _offer(session: Session, fan_id: int, product: Product) -> FreeDownload:
    used = session.scalar(
        select(MemberDownload.downloads_used).where(
            MemberDownload.fan_id == fan_id, MemberDownload.product_id == product.id
        )
    )
    token = timed_serializer(SALT).dumps([fan_id, product.id])
    return FreeDownload(product.release, product, token, max(_limit() - (used or 0), 0))


def _read(token: str) -> tuple[int, int]:
    max_age = current_app.config["MEMBER_LINK_HOURS"] * 3600
    expired = _l("This link has expired: open the release page again for a fresh one.")
    value = read_link(SALT, token, max_age_seconds=max_age, expired=expired)
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise LinkRefused()
    return value[0], value[1]


def _limit() -> int:
    return current_app.config["DOWNLOAD_LIMIT"]


@dataclass(frozen=True)
class MemberPanel:
    """The member's free downloads and posts, as /account shows them."""

    downloads: list[FreeDownload]
    posts: bool


def member_panel(session: Session, fan: Fan, now: datetime) -> MemberPanel | None:
    """The /account panel (an AccountPanel's build); None for a fan who is not a member."""
    grace = timedelta(days=current_app.config["MEMBERSHIP_GRACE_DAYS"])
    benefits = benefits_for(session, fan.id, now=now, grace=grace)
    if benefits is None or not (benefits.free_digital or benefits.posts):
        return None
    return MemberPanel(free_downloads(session, fan.id, now=now, grace=grace), benefits.posts)
