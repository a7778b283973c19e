"""Membership tiers: listed with their members and seats left, created, edited.

Admins only (no `access` mark): prices and benefits are the label's decisions.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from storefront.admin import bp
from storefront.admin.helpers import render_form, write_catalog
from storefront.admin.tier_forms import TierForm
from storefront.extensions import db
from storefront.members.display import tier_views
from storefront.members.models import Tier
from storefront.members.tiers import add_tier, update_tier


@bp.get("/tiers")
def tiers():
    """Every tier: prices, benefits, members and seats left."""
    return render_template("admin/tiers.html", tiers=tier_views(db.session, active_only=False))


@bp.route("/tiers/new", methods=["GET", "POST"])
def tier_new():
    """Create a tier."""
    form = TierForm()
    if _save(form, add_tier):
        flash(_("Tier created."), "success")
        return redirect(url_for("admin.tiers"))
    return render_form("admin/tier_form.html", form=form, tier=None)


@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
def tier_edit(tier_id: int):
    """Change a tier's prices, benefits, seats or Stripe prices."""
    tier = db.get_or_404(Tier, tier_id)
    form = TierForm.for_tier(tier)
    if _save(form, update_tier, tier):
        flash(_("Tier saved."), "success")
        return redirect(url_for("admin.tiers"))
    return render_form("admin/tier_form.html", form=form, tier=tier)


def _save(form: TierForm, service: Callable[..., Tier], *args: Tier) -> Tier | None:
    """The saved tier once the form is valid; None otherwise (a refusal, such as a slug
    taken or a cap below the members, is shown next to its field)."""
    if not form.validate_on_submit():
        return None
    return write_catalog(form, service, *args, fields=form.to_fields())
