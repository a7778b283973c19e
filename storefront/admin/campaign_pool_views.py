"""A campaign's insert pools (K studio notebooks spread over its first N paid orders) and
its packing list.

The pools are shown in a section of the campaign's page (`insert_pools_of` in templates);
a refused addition comes back on a page of its own. Staff may read the packing list;
every change is for admins (`access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.campaign_views import back_to_campaign, delete_from_campaign
from storefront.admin.edition_forms import MAX_COPIES, PoolForm
from storefront.admin.helpers import render_form, write_catalog
from storefront.editions.models import InsertPool
from storefront.extensions import db
from storefront.preorders import insert_admin as services
from storefront.preorders.models import Campaign
from storefront.preorders.services import pressing_thresholds


class CampaignPoolForm(PoolForm):
    """The edition's pool form (name, K, tell at once) with the run the K are spread over."""

    count = IntegerField(
        _l("How many (K)"),
        description=_l("Exactly K of the first N paid orders get one: one in each K-th of them."),
        validators=[InputRequired(), NumberRange(max=MAX_COPIES)],
    )
    run_size = IntegerField(
        _l("Run (N paid orders)"),
        description=_l(
            "How many paid orders the inserts are spread over, like the pressing goal. "
            "Orders paid beyond the run get none."
        ),
        validators=[InputRequired(), NumberRange(max=MAX_COPIES)],
    )

    def campaign_fields(self) -> services.CampaignPoolFields:
        return services.CampaignPoolFields(
            name=self.name.data,
            count=self.count.data,
            run_size=self.run_size.data,
            reveal_at_once=self.reveal_at_once.data,
        )


@dataclass(frozen=True)
class PoolsPanel:
    """The insert-pool section of a campaign's page."""

    pools: list[InsertPool]
    given: dict[int, int]  # pool id -> inserts slipped into orders so far
    locked: bool  # an order was paid: pools are fixed but for their name and flag
    form: CampaignPoolForm  # the empty "add a pool" form


@bp.context_processor
def _campaign_pool_context() -> dict:
    return {"insert_pools_of": _insert_pools_of}


def _insert_pools_of(campaign: Campaign) -> PoolsPanel:
    """The pools, their awards so far and an add form whose run defaults to the pressing
    goal, for the campaign's page."""
    run = min(pressing_thresholds(campaign), default=None)
    return PoolsPanel(
        pools=services.campaign_pools(db.session, campaign),
        given=services.awards_by_pool(db.session, campaign),
        locked=services.backings_started(db.session, campaign),
        form=CampaignPoolForm(formdata=None, run_size=run),
    )


@bp.post("/campaigns/<int:campaign_id>/pools")
def campaign_pool_add(campaign_id: int):
    """Add a pool (sent from the campaign's page; a refusal is shown on a page of its own)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignPoolForm()
    if form.validate_on_submit():
        fields = form.campaign_fields()
        if write_catalog(form, services.add_campaign_pool, campaign, fields=fields):
            flash(_("Insert pool added."), "success")
            return back_to_campaign(campaign.id, "inserts")
    return render_form("admin/campaign_pool.html", form=form, campaign=campaign, pool=None)


@bp.route("/campaigns/pools/<int:pool_id>", methods=["GET", "POST"])
def campaign_pool_edit(pool_id: int):
    """Rename a pool or change its flag (its K and N only until the first payment)."""
    pool = _campaign_pool(pool_id)
    form = CampaignPoolForm(obj=pool)
    if form.validate_on_submit():
        fields = form.campaign_fields()
        if write_catalog(form, services.update_campaign_pool, pool, fields=fields):
            flash(_("Insert pool saved."), "success")
            return back_to_campaign(pool.campaign_id, "inserts")
    return render_form("admin/campaign_pool.html", form=form, campaign=pool.campaign, pool=pool)


@bp.post("/campaigns/pools/<int:pool_id>/delete")
def campaign_pool_delete(pool_id: int):
    """Remove a pool (its button on the campaign's page)."""
    pool = _campaign_pool(pool_id)
    done = _("Insert pool removed.")
    return delete_from_campaign(
        services.delete_campaign_pool, pool, pool.campaign_id, done, "inserts"
    )


@bp.get("/campaigns/<int:campaign_id>/packing")
@staff_allowed
def campaign_packing(campaign_id: int):
    """The packing list, to print: each paid preorder with its rank and inserts."""
    campaign = db.get_or_404(Campaign, campaign_id)
    orders = services.packing_list(db.session, campaign)
    return render_template("admin/campaign_packing.html", campaign=campaign, orders=orders)


def _campaign_pool(pool_id: int) -> InsertPool:
    """A campaign's pool, or 404 (an edition's pool is edited on the edition's page)."""
    return db.one_or_404(select(InsertPool).filter_by(id=pool_id, edition_id=None))
