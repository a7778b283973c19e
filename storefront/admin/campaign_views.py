"""Preorder campaigns: the list, a campaign's page (live figures, goals, bonuses), closing.

Staff may read the list and the campaign pages; every change is for admins (`access`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.campaign_forms import (
    GOAL_KIND_LABELS,
    REWARD_KIND_LABELS,
    BonusForm,
    CampaignForm,
    GoalForm,
)
from storefront.admin.helpers import catalog_changed, render_form, run_write, write_catalog
from storefront.admin.pool_forms import pool_section
from storefront.catalog.models import Release
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.ids import parse_id
from storefront.members.early import save_early_tiers
from storefront.preorders import admin_services as services
from storefront.preorders.figures import campaign_figures
from storefront.preorders.models import Bonus, Campaign, CampaignState, Goal

STATE_LABELS = {
    CampaignState.UPCOMING: _l("Upcoming"),
    CampaignState.OPEN: _l("Open"),
    CampaignState.SUCCEEDED: _l("Succeeded"),
    CampaignState.FAILED: _l("Failed"),
}


@bp.context_processor
def _campaign_context() -> dict:
    return {
        "campaign_states": STATE_LABELS,
        "goal_kinds": GOAL_KIND_LABELS,
        "reward_kinds": REWARD_KIND_LABELS,
    }


# --- campaigns --------------------------------------------------------------------------


@bp.get("/campaigns")
@staff_allowed
def campaigns():
    """Every campaign (or one release's: ?release_id=N), latest first, with its figures."""
    query = select(Campaign).options(selectinload(Campaign.release), selectinload(Campaign.goals))
    release_id = request.args.get("release_id", type=parse_id)
    if release_id is not None:
        query = query.where(Campaign.release_id == release_id)
    found = db.session.scalars(query.order_by(Campaign.opens_at.desc(), Campaign.id.desc()))
    rows = [(c, campaign_figures(db.session, c, now=utcnow())) for c in found]
    releases = db.session.scalars(select(Release).order_by(Release.title)).all()
    return render_template("admin/campaigns.html", rows=rows, releases=releases)


@bp.route("/campaigns/new", methods=["GET", "POST"])
def campaign_new():
    """Create a campaign for a release (?release_id=N): window, products, limit, margin."""
    release_id = request.args.get("release_id", type=parse_id)
    release = db.get_or_404(Release, release_id) if release_id is not None else abort(404)
    form = CampaignForm.for_release(release, product_ids=[p.id for p in release.products])
    if form.validate_on_submit():
        campaign = write_catalog(form, services.create_campaign, release, fields=form.to_fields())
        if campaign is not None:
            save_early_tiers(db.session, campaign, form.early_tier_ids.data or ())
            flash(_("Campaign created: now add its goals and bonuses."), "success")
            return back_to_campaign(campaign.id)
    return render_form("admin/campaign_new.html", form=form, release=release)


@bp.get("/campaigns/<int:campaign_id>")
@staff_allowed
def campaign_detail(campaign_id: int):
    """A campaign's page: live figures, goals and bonuses; admins edit them here."""
    return _campaign_page(db.get_or_404(Campaign, campaign_id))


@bp.post("/campaigns/<int:campaign_id>")
def campaign_update(campaign_id: int):
    """Save a campaign's window, products, limit per fan and run margin."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm.for_campaign(campaign)
    if form.validate_on_submit():
        fields = form.to_fields()
        if write_catalog(form, services.update_campaign, campaign, fields=fields):
            save_early_tiers(db.session, campaign, form.early_tier_ids.data or ())
            flash(_("Campaign saved."), "success")
            return back_to_campaign(campaign.id)
    return _campaign_page(campaign, form=form)


@bp.get("/campaigns/<int:campaign_id>/close")
def campaign_close_confirm(campaign_id: int):
    """Ask before closing by hand, saying what closing now would do."""
    campaign = db.get_or_404(Campaign, campaign_id)
    figures = campaign_figures(db.session, campaign, now=utcnow())
    return render_template("admin/campaign_close.html", campaign=campaign, figures=figures)


@bp.post("/campaigns/<int:campaign_id>/close")
def campaign_close(campaign_id: int):
    """Close now: the pressing is confirmed, or every backer is refunded."""
    campaign = db.get_or_404(Campaign, campaign_id)
    try:
        report = services.close_by_hand(db.session, campaign, now=utcnow())
    except services.CampaignRefused as refusal:
        flash(refusal.message, "error")
    else:
        catalog_changed()
        flash(_close_message(report), "error" if report.refund_errors else "success")
    return back_to_campaign(campaign_id)


# --- goals ------------------------------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/goals")
def goal_add(campaign_id: int):
    """Add a goal with the form on the campaign page."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = GoalForm()
    if form.validate_on_submit():
        fields, files = form.to_fields(), form.files()
        if write_catalog(form, services.add_goal, campaign, fields=fields, files=files):
            flash(_("Goal added."), "success")
            return back_to_campaign(campaign.id, "goals")
    return _campaign_page(campaign, goal_form=form)


@bp.route("/goals/<int:goal_id>", methods=["GET", "POST"])
def goal_edit(goal_id: int):
    """Change a goal and its reward (a new file or link replaces the current one)."""
    goal = db.get_or_404(Goal, goal_id)
    form = GoalForm.for_goal(goal)
    if form.validate_on_submit():
        fields, files = form.to_fields(), form.files()
        if write_catalog(form, services.update_goal, goal, fields=fields, files=files):
            flash(_("Goal saved."), "success")
            return back_to_campaign(goal.campaign_id, "goals")
    return render_form("admin/campaign_goal.html", form=form, goal=goal)


@bp.post("/goals/<int:goal_id>/delete")
def goal_delete(goal_id: int):
    """Remove a goal (its button on the campaign page)."""
    goal = db.get_or_404(Goal, goal_id)
    back = _campaign_url(goal.campaign_id, "goals")
    return run_write(services.delete_goal, goal, _("Goal removed."), back)


# --- bonuses ----------------------------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/bonuses")
def bonus_add(campaign_id: int):
    """Add a first-N bonus with the form on the campaign page."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = BonusForm()
    if form.validate_on_submit():
        fields = form.to_fields()
        if write_catalog(form, services.add_bonus, campaign, fields=fields):
            flash(_("Bonus added."), "success")
            return back_to_campaign(campaign.id, "bonuses")
    return _campaign_page(campaign, bonus_form=form)


@bp.route("/bonuses/<int:bonus_id>", methods=["GET", "POST"])
def bonus_edit(bonus_id: int):
    """Rename or resize a bonus."""
    bonus = db.get_or_404(Bonus, bonus_id)
    form = BonusForm.for_bonus(bonus)
    if form.validate_on_submit():
        fields = form.to_fields()
        if write_catalog(form, services.update_bonus, bonus, fields=fields):
            flash(_("Bonus saved."), "success")
            return back_to_campaign(bonus.campaign_id, "bonuses")
    return render_form("admin/campaign_bonus.html", form=form, bonus=bonus)


@bp.post("/bonuses/<int:bonus_id>/delete")
def bonus_delete(bonus_id: int):
    """Remove a bonus (its button on the campaign page)."""
    bonus = db.get_or_404(Bonus, bonus_id)
    back = _campaign_url(bonus.campaign_id, "bonuses")
    return run_write(services.delete_bonus, bonus, _("Bonus removed."), back)


# --- helpers ----------------------------------------------------------------------------


def _campaign_page(campaign: Campaign, *, form=None, goal_form=None, bonus_form=None):
    # The forms that were not sent are built without the request's data (formdata=None).
    return render_form(
        "admin/campaign_edit.html",
        campaign=campaign,
        figures=campaign_figures(db.session, campaign, now=utcnow()),
        form=form or CampaignForm.for_campaign(campaign, formdata=None),
        goal_form=goal_form or GoalForm(formdata=None),
        bonus_form=bonus_form or BonusForm(formdata=None),
        changes=services.campaign_changes(db.session, campaign, may_write=current_user.is_admin),
        **pool_section(campaign),
    )


def back_to_campaign(campaign_id: int, section: str | None = None):
    """Redirect to the campaign's admin page, at `section` (goals, bonuses)."""
    return redirect(_campaign_url(campaign_id, section))


def _campaign_url(campaign_id: int, section: str | None = None) -> str:
    return url_for("admin.campaign_detail", campaign_id=campaign_id, _anchor=section)


def _close_message(report: services.CloseReport) -> str:
    if report.outcome == CampaignState.SUCCEEDED:
        return _(
            "Campaign closed: the pressing is confirmed. Suggested run: %(run)d copies.",
            run=report.suggested_run or 0,
        )
    return _(
        "Campaign closed: the pressing goal was missed. Orders refunded: %(refunded)d; "
        "refunds failed: %(errors)d (the close-due job retries them).",
        refunded=report.refunded,
        errors=report.refund_errors,
    )
