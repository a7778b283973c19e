"""A gig's quest (fragment, message, window, cap), its key, posters, the rotating screen
and the night's claims; the badges. Staff may read the quest page, print the posters and
hold the screen up at the stand; every change is for admins (`access`)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from storefront.admin import bp
from storefront.admin.access import staff_allowed, staff_reads
from storefront.admin.helpers import render_form, run_write, write_catalog
from storefront.admin.quest_forms import BadgeForm, QuestForm
from storefront.admin.uploads import REWARD
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests import quest_admin as services
from storefront.quests.claims import window_of
from storefront.quests.codes import slot_at, slot_ends_at
from storefront.quests.links import quest_url
from storefront.quests.models import Badge, Gig, Quest
from storefront.quests.posters import qr_svg
from storefront.quests.services import gig_view

POSTER_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@bp.route("/gigs/<int:gig_id>/quest", methods=["GET", "POST"])
@staff_reads
def gig_quest(gig_id: int):
    """Set up the gig's quest; its posters, screen, key and claims once it exists."""
    gig = db.get_or_404(Gig, gig_id)
    form = QuestForm.for_quest(gig.quest)
    if form.validate_on_submit():
        upload = (form.fragment_file, form.fragment_file.upload_kind)
        saved = write_catalog(
            form, services.save_quest, gig, fields=form.to_fields(), files={"fragment_file": upload}
        )
        if saved is not None:
            flash(_("Quest saved."), "success")
            return redirect(url_for("admin.gig_quest", gig_id=gig.id))
    quest = gig.quest
    return render_form(
        "admin/quest.html",
        form=form,
        view=gig_view(gig, now=utcnow()),
        quest=quest,
        window=window_of(quest) if quest else None,
        curve=services.claims_curve(db.session, quest) if quest else [],
    )


@bp.post("/gigs/<int:gig_id>/quest/rotate")
def gig_quest_rotate(gig_id: int):
    """New key: every code printed or photographed so far stops working at once."""
    quest = _quest_of(gig_id)
    done = _("Key rotated: old posters no longer work. Print the new ones.")
    return run_write(services.rotate_key, quest, done, url_for("admin.gig_quest", gig_id=gig_id))


@bp.get("/gigs/<int:gig_id>/poster.<fmt>")
@staff_allowed
def gig_poster(gig_id: int, fmt: str) -> Response:
    """The poster to print, PNG or SVG, A4 or A6 (`?size=`)."""
    quest = _quest_of(gig_id)
    size = request.args.get("size", "a4")
    if fmt not in POSTER_TYPES or size not in ("a4", "a6"):
        abort(404)
    name = quote(f"poster-{quest.gig.city}-{size}.{fmt}")
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{name}"}
    poster = services.poster(quest, size=size, fmt=fmt)
    return Response(poster, mimetype=POSTER_TYPES[fmt], headers=headers)


@bp.get("/gigs/<int:gig_id>/screen")
@staff_allowed
def gig_screen(gig_id: int):
    """Full screen, held up to the crowd: a QR that changes every minute; the page
    reloads itself when the minute ends (no JavaScript needed)."""
    quest = _quest_of(gig_id)
    now = utcnow()
    slot = slot_at(now)
    reload_in = max(int((slot_ends_at(slot) - now).total_seconds()) + 1, 1)
    return render_template(
        "admin/quest_screen.html",
        quest=quest,
        view=gig_view(quest.gig, now=now),
        qr=qr_svg(quest_url(quest, slot=slot)),
        reload_in=reload_in,
    )


def _quest_of(gig_id: int) -> Quest:
    return db.one_or_404(select(Quest).where(Quest.gig_id == gig_id))


@bp.get("/badges")
@staff_allowed
def badges():
    """The passport's badges: how many cities each needs and what it gives."""
    return render_template("admin/badges.html", badges=services.badge_rows(db.session))


@bp.route("/badges/new", methods=["GET", "POST"])
def badge_new():
    """Add a badge."""
    return _badge_form(None, _("Badge added."))


@bp.route("/badges/<int:badge_id>", methods=["GET", "POST"])
def badge_edit(badge_id: int):
    """Change a badge."""
    return _badge_form(db.get_or_404(Badge, badge_id), _("Badge saved."))


@bp.post("/badges/<int:badge_id>/delete")
def badge_delete(badge_id: int):
    """Remove a badge nobody has earned."""
    badge = db.get_or_404(Badge, badge_id)
    return run_write(services.delete_badge, badge, _("Badge removed."), url_for("admin.badges"))


def _badge_form(badge: Badge | None, done: str):
    form = BadgeForm(obj=badge)
    if form.validate_on_submit():
        saved = write_catalog(
            form,
            services.save_badge,
            badge,
            fields=form.to_fields(),
            files={"reward_file": (form.reward_file, REWARD)},
        )
        if saved is not None:
            flash(done, "success")
            return redirect(url_for("admin.badges"))
    return render_form("admin/badge.html", form=form, badge=badge)
