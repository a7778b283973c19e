"""Members' content in the admin: the members-only posts and the liner notes' names.

Admins only (no `access` mark)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from storefront.admin import bp
from storefront.admin.helpers import render_form, write_catalog
from storefront.admin.post_forms import PostForm
from storefront.clock import utcnow
from storefront.csvout import csv_download
from storefront.extensions import db
from storefront.members.liner import liner_csv, liner_names
from storefront.members.models import MemberPost
from storefront.members.posts import delete_post, save_post
from storefront.shop.helpers import membership_grace


@bp.get("/posts")
def posts():
    """Every members-only post, newest first."""
    found = db.session.scalars(select(MemberPost).order_by(MemberPost.published_at.desc()))
    return render_template("admin/posts.html", posts=found.all())


@bp.route("/posts/new", methods=["GET", "POST"])
def post_new():
    """Write a post: text, an image, a recording, its publication time."""
    return _post_form(None)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post_edit(post_id: int):
    """Change a post; a file sent replaces the one it had."""
    return _post_form(db.get_or_404(MemberPost, post_id))


@bp.post("/posts/<int:post_id>/delete")
def post_delete(post_id: int):
    """Delete a post (the global CSRF check guards the button)."""
    delete_post(db.session, db.get_or_404(MemberPost, post_id))
    flash(_("Post deleted."), "success")
    return redirect(url_for("admin.posts"))


@bp.get("/tiers/liner-notes")
def liner_notes():
    """The names to print in the liner notes, one a line."""
    names = liner_names(db.session, now=utcnow(), grace=membership_grace())
    return render_template("admin/liner_notes.html", names=names)


@bp.get("/tiers/liner-notes.csv")
def liner_notes_csv() -> Response:
    """The same names as a CSV file."""
    names = liner_names(db.session, now=utcnow(), grace=membership_grace())
    return csv_download(liner_csv(names), "liner-notes.csv")


def _post_form(post: MemberPost | None):
    form = PostForm.for_post(post)
    if form.validate_on_submit():
        saved = write_catalog(form, save_post, post, fields=form.to_fields(), files=form.files())
        if saved is not None:
            flash(_("Post saved."), "success")
            return redirect(url_for("admin.posts"))
    return render_form("admin/post_form.html", form=form, post=post)
