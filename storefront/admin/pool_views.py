"""Insert pools (K studio notebooks spread over an edition's copies or a campaign's first
N paid orders) and the packing lists, for editions and campaigns alike.

The pools are listed on the edition's and the campaign's pages (`pool_forms.pool_section`);
a pool is edited, and a refused addition comes back, on a page of its own. Staff may read
the packing lists; every change is for admins (`access`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.helpers import render_form, run_write, write_catalog
from storefront.admin.pool_forms import pool_add_url, pool_form_for
from storefront.editions.models import Edition
from storefront.extensions import db
from storefront.inserts import admin as services
from storefront.inserts.models import InsertPool
from storefront.inserts.packing import packing_list
from storefront.inserts.services import Owner
from storefront.preorders.models import Campaign


@bp.post("/editions/<int:edition_id>/pools")
def edition_pool_add(edition_id: int):
    """Add a pool with the form on the edition's page."""
    return _add(db.get_or_404(Edition, edition_id))


@bp.post("/campaigns/<int:campaign_id>/pools")
def campaign_pool_add(campaign_id: int):
    """Add a pool with the form on the campaign's page."""
    return _add(db.get_or_404(Campaign, campaign_id))


@bp.route("/editions/pools/<int:pool_id>", methods=["GET", "POST"])
def edition_pool_edit(pool_id: int):
    """Rename a pool or change its flag (its count only until the first draw)."""
    return _edit(_pool(pool_id, campaign_id=None))


@bp.route("/campaigns/pools/<int:pool_id>", methods=["GET", "POST"])
def campaign_pool_edit(pool_id: int):
    """Rename a pool or change its flag (its K and N only until the first payment)."""
    return _edit(_pool(pool_id, edition_id=None))


@bp.post("/editions/pools/<int:pool_id>/delete")
def edition_pool_delete(pool_id: int):
    """Remove a pool (its button on the edition's page)."""
    return _delete(_pool(pool_id, campaign_id=None))


@bp.post("/campaigns/pools/<int:pool_id>/delete")
def campaign_pool_delete(pool_id: int):
    """Remove a pool (its button on the campaign's page)."""
    return _delete(_pool(pool_id, edition_id=None))


@bp.get("/editions/<int:edition_id>/packing")
@staff_allowed
def edition_packing(edition_id: int):
    """The packing list, to print: each paid order's copies, variants and inserts."""
    return _packing(db.get_or_404(Edition, edition_id))


@bp.get("/campaigns/<int:campaign_id>/packing")
@staff_allowed
def campaign_packing(campaign_id: int):
    """The packing list, to print: each paid preorder with its rank and inserts."""
    return _packing(db.get_or_404(Campaign, campaign_id))


# --- one way for both kinds -------------------------------------------------------------


def _add(owner: Owner):
    return _save(owner, None, services.add_pool, owner, _("Insert pool added."))


def _edit(pool: InsertPool):
    owner = services.owner_of(pool)
    return _save(owner, pool, services.update_pool, pool, _("Insert pool saved."))


def _save(owner: Owner, pool: InsertPool | None, service, target: object, done: str):
    """The pool form sent to `service` (on `target`: the owner or the pool); back to the
    owner's page once saved, or the form again, on a page of its own."""
    form = pool_form_for(owner, obj=pool)
    if form.validate_on_submit():
        saved = write_catalog(form, service, target, fields=form.to_fields())
        if saved is not None:
            flash(done, "success")
            return redirect(_owner_url(owner))
    return render_form("admin/pool.html", form=form, owner=_owner_link(owner), pool=pool)


def _delete(pool: InsertPool):
    owner = services.owner_of(pool)
    return run_write(services.delete_pool, pool, _("Insert pool removed."), _owner_url(owner))


def _packing(owner: Owner):
    orders = packing_list(db.session, owner)
    return render_template("admin/packing.html", owner=_owner_link(owner), orders=orders)


def _pool(pool_id: int, **other_kind_none) -> InsertPool:
    """A pool of the kind the URL names, or 404 (each kind is edited from its own page)."""
    return db.one_or_404(select(InsertPool).filter_by(id=pool_id, **other_kind_none))


def _owner_url(owner: Owner) -> str:
    if isinstance(owner, Edition):
        return url_for("admin.edition_detail", edition_id=owner.id, _anchor="inserts")
    return url_for("admin.campaign_detail", campaign_id=owner.id, _anchor="inserts")


def _owner_link(owner: Owner) -> dict:
    """What the pool and packing pages say of the owner: its kind, name, pages and the way
    back from a printed sheet (staff may not open an edition's page)."""
    url = _owner_url(owner)
    if isinstance(owner, Edition):
        name, detail = owner.name, f"{owner.name} — {owner.product.name}"
        back = url if current_user.is_admin else url_for("admin.editions")
    else:
        name = detail = _("Campaign for %(title)s", title=owner.release.title)
        back = url
    return {
        "kind": services.kind_of(owner),
        "name": name,
        "detail": detail,
        "url": url,
        "add_url": pool_add_url(owner),
        "back": back,
    }
