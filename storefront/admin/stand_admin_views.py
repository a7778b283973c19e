"""A gig's stand, label side: stock allocated from the main stock before the night, and
the count after it (what came back returns to the main stock). Staff may read it; the
allocation and the count are for admins (`access`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_reads
from storefront.admin.helpers import write_catalog
from storefront.admin.stand_forms import AllocationForm, ReconcileForm
from storefront.catalog.models import Product
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.models import Gig
from storefront.quests.services import gig_view
from storefront.stand import stock as services
from storefront.stand.summary import night_summary


@bp.route("/gigs/<int:gig_id>/stand", methods=["GET"])
@staff_reads
def gig_stand(gig_id: int):
    """What the stand takes to the gig, what it sold, and the count after the night."""
    return _page(db.get_or_404(Gig, gig_id), _allocation_form())


@bp.post("/gigs/<int:gig_id>/stand/allocate")
def gig_stand_allocate(gig_id: int):
    """Take units from the main stock to the stand (a stock move)."""
    gig = db.get_or_404(Gig, gig_id)
    form = _allocation_form(request.form)
    if form.validate_on_submit():
        product_id, option_id = form.product_and_option
        product = db.get_or_404(Product, product_id)
        done = write_catalog(
            form,
            services.allocate,
            gig,
            product,
            option_id=option_id,
            units=form.units.data,
            actor=current_user.email,
            now=utcnow(),
        )
        if done is not None:
            flash(_("Allocated to the stand."), "success")
            return redirect(url_for("admin.gig_stand", gig_id=gig.id))
    return _page(gig, form, status=422)


@bp.post("/gigs/<int:gig_id>/stand/reconcile")
def gig_stand_reconcile(gig_id: int):
    """The count after the night: what came back returns to the main stock."""
    gig = db.get_or_404(Gig, gig_id)
    form = _count_form(services.stand_rows(db.session, gig), request.form)
    if form.validate_on_submit():
        done = write_catalog(
            form,
            services.reconcile,
            gig,
            brought_back=form.counts(),
            actor=current_user.email,
            now=utcnow(),
        )
        if done is not None:
            flash(_("Counted: what came back is in the main stock again."), "success")
            return redirect(url_for("admin.gig_stand", gig_id=gig.id))
    return _page(gig, _allocation_form(), form, status=422)


def _allocation_form(formdata=None) -> AllocationForm:
    products = db.session.scalars(
        select(Product)
        .where(Product.active.is_(True))
        .options(selectinload(Product.release), selectinload(Product.options))
        .order_by(Product.release_id, Product.id)
    ).all()
    return AllocationForm(list(products), formdata=formdata)


def _count_form(rows, formdata=None) -> ReconcileForm:
    return ReconcileForm.for_rows(
        [row for row in rows if row.reconciled_at is None], formdata=formdata
    )


def _page(
    gig: Gig, allocation: AllocationForm, count: ReconcileForm | None = None, *, status: int = 200
):
    summary = night_summary(db.session, gig)
    page = render_template(
        "admin/stand.html",
        view=gig_view(gig, now=utcnow()),
        summary=summary,
        allocation=allocation,
        count=count or _count_form(summary.stock),
    )
    return page, status
