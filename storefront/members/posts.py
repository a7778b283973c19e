"""Members-only posts (studio diaries): written by the label, read by members whose tier
has `posts`. Their image and recording live under PRIVATE_DIR/posts and are served
through signed links naming the reader, which work MEMBER_LINK_HOURS and only while the
reader's membership still gives posts (each page shows fresh ones)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.database import transactional
from storefront.errors import LinkRefused, StorefrontError
from storefront.files import private_path
from storefront.links import read_link, timed_serializer
from storefront.members.benefits import benefits_for
from storefront.members.models import MemberPost, Tier

SALT = "sillon.member-post"
MEDIA = ("image", "audio")


class PostRefused(StorefrontError):
    code = "post_refused"
    status = 403


@dataclass(frozen=True)
class PostsAccess:
    """Whether the reader may read the posts; else the tiers that include them."""

    allowed: bool
    tiers: tuple[str, ...]
    # A signed-in fan whose membership does not (or no longer) include posts.
    signed_in: bool = False


@dataclass(frozen=True)
class PostView:
    post: MemberPost
    image_token: str | None
    audio_token: str | None


def posts_access(
    session: Session, fan_id: int | None, *, now: datetime, grace: timedelta
) -> PostsAccess:
    benefits = benefits_for(session, fan_id, now=now, grace=grace)
    if benefits is not None and benefits.posts:
        return PostsAccess(True, ())
    tiers = session.scalars(
        select(Tier.name).where(Tier.posts.is_(True), Tier.active.is_(True)).order_by(Tier.position)
    )
    return PostsAccess(False, tuple(tiers), signed_in=fan_id is not None)


def published_posts(session: Session, *, now: datetime) -> list[MemberPost]:
    """Posts already published, newest first."""
    query = select(MemberPost).where(MemberPost.published_at <= now)
    return list(session.scalars(query.order_by(MemberPost.published_at.desc())))


def post_view(session: Session, post_id: int, fan_id: int, *, now: datetime) -> PostView | None:
    """A published post with fresh media links for `fan_id`; None when there is none."""
    post = session.get(MemberPost, post_id)
    if post is None or post.published_at > now:
        return None
    return PostView(
        post,
        _token(fan_id, post, "image") if post.image_file else None,
        _token(fan_id, post, "audio") if post.audio_file else None,
    )


def open_post_media(session: Session, token: str, *, now: datetime, grace: timedelta) -> Path:
    """The file a media link serves, while its reader still gets posts."""
    fan_id, post_id, kind = _read(token)
    if not posts_access(session, fan_id, now=now, grace=grace).allowed:
        raise PostRefused(_l("Members-only posts are for members of the tiers that include them."))
    post = session.get(MemberPost, post_id)
    path = private_path(getattr(post, f"{kind}_file")) if post else None
    if path is None:
        raise LinkRefused()
    return path


# --- the label's side -----------------------------------------------------------------


@dataclass(frozen=True)
class PostFields:
    title: str
    body: str
    published_at: datetime


@transactional
def save_post(
    session: Session,
    post: MemberPost | None,
    *,
    fields: PostFields,
    image_file: str | None = None,
    audio_file: str | None = None,
) -> MemberPost:
    """Create or change a post; a file sent replaces the one it had."""
    post = post or MemberPost()
    post.title, post.body, post.published_at = fields.title, fields.body, fields.published_at
    post.image_file = image_file or post.image_file
    post.audio_file = audio_file or post.audio_file
    session.add(post)
    return post


@transactional
def delete_post(session: Session, post: MemberPost) -> None:
    session.delete(post)


def _token(fan_id: int, post: MemberPost, kind: str) -> str:
    return timed_serializer(SALT).dumps([fan_id, post.id, kind])


def _read(token: str) -> tuple[int, int, str]:
    max_age = current_app.config["MEMBER_LINK_HOURS"] * 3600
    expired = _l("This link has expired: open the post again.")
    value = read_link(SALT, token, max_age_seconds=max_age, expired=expired)
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(type(v) is int for v in value[:2])
        and value[2] in MEDIA
    ):
        raise LinkRefused()
    return value[0], value[1], value[2]
