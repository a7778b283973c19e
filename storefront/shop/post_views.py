"""Members' pages: the members-only posts and their media, and free downloads."""

from __future__ import annotations

from flask import abort, render_template, send_file
from flask_babel import gettext as _

from storefront.clock import utcnow
from storefront.errors import DownloadUnavailable, LinkRefused
from storefront.extensions import db
from storefront.members.downloads import use_free_download
from storefront.members.posts import open_post_media, post_view, posts_access, published_posts
from storefront.shop import bp
from storefront.shop.helpers import membership_grace, no_store, signed_in_fan_id


@bp.get("/members/posts")
@no_store
def member_posts():
    """The posts for members whose tier has them; for others, which tiers include them."""
    now = utcnow()
    access = posts_access(db.session, signed_in_fan_id(), now=now, grace=membership_grace())
    if not access.allowed:
        return render_template("shop/posts.html", access=access, posts=[]), 403
    return render_template(
        "shop/posts.html", access=access, posts=published_posts(db.session, now=now)
    )


@bp.get("/members/posts/<int:post_id>")
@no_store
def member_post(post_id: int):
    """One post, its image and recording behind fresh signed links."""
    now, fan_id = utcnow(), signed_in_fan_id()
    access = posts_access(db.session, fan_id, now=now, grace=membership_grace())
    if not access.allowed:
        return render_template("shop/posts.html", access=access, posts=[]), 403
    view = post_view(db.session, post_id, fan_id, now=now)
    if view is None:
        abort(404)
    return render_template("shop/post.html", view=view)


@bp.get("/members/posts/media/<token>")
@no_store
def member_post_media(token: str):
    """A post's image or recording, for the member the link was made for."""
    path = open_post_media(db.session, token, now=utcnow(), grace=membership_grace())
    return send_file(path, download_name=path.name)


@bp.get("/members/downloads/<token>")
@no_store
def member_download(token: str):
    """A member's free download of a new release, within the per-fan limit."""
    try:
        path = use_free_download(db.session, token, now=utcnow(), grace=membership_grace())
    except (DownloadUnavailable, LinkRefused) as error:
        page = render_template(
            "error.html", code=error.status, title=_("Download unavailable"), message=error.message
        )
        return page, error.status
    return send_file(path, as_attachment=True, download_name=path.name)
