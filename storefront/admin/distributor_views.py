"""Distributors and consignment shops, label side: who they are, the units allocated to
them from the main stock, their sales (by hand or their CSV statement) and their
returns. Staff may read; the forms are for admins (`access`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.distributor_forms import (
    STATEMENT_MAX_BYTES,
    AllocateForm,
    DistributorForm,
    ReturnForm,
    SaleForm,
    StatementForm,
)
from storefront.admin.helpers import render_form, write_catalog
from storefront.admin.stock_forms import at_noon
from storefront.catalog.models import Product, ProductKind
from storefront.channels import services
from storefront.channels.models import Distributor, DistributorStock
from storefront.channels.services import ChannelRefused, SaleLine
from storefront.channels.statements import StatementRefused, import_statement
from storefront.clock import utcnow
from storefront.extensions import db


@bp.get("/distributors")
def distributors():
    """Every distributor with what they hold and have sold."""
    rows = services.distributors(db.session)
    return render_template("admin/distributors/list.html", rows=rows)


@bp.route("/distributors/new", methods=["GET", "POST"])
def distributor_new():
    """Add a distributor or a consignment shop."""
    form = DistributorForm()
    if form.validate_on_submit():
        saved = write_catalog(form, services.save_distributor, None, fields=form.to_fields())
        if saved:
            flash(_("The distributor is saved."), "success")
            return redirect(url_for("admin.distributor_detail", distributor_id=saved.id))
    return render_form("admin/distributors/form.html", form=form, distributor=None)


@bp.route("/distributors/<int:distributor_id>/edit", methods=["GET", "POST"])
def distributor_edit(distributor_id: int):
    """Change a distributor's name, kind, email, country or commission."""
    distributor = db.get_or_404(Distributor, distributor_id)
    form = DistributorForm(obj=distributor, commission=distributor.commission_percent)
    if form.validate_on_submit() and write_catalog(
        form, services.save_distributor, distributor, fields=form.to_fields()
    ):
        flash(_("The distributor is saved."), "success")
        return redirect(url_for("admin.distributor_detail", distributor_id=distributor.id))
    return render_form("admin/distributors/form.html", form=form, distributor=distributor)


@bp.get("/distributors/<int:distributor_id>")
def distributor_detail(distributor_id: int):
    """What they hold, sold, sent back and owe, and the forms to change it."""
    return _page(db.get_or_404(Distributor, distributor_id))


@bp.post("/distributors/<int:distributor_id>/allocate")
def distributor_allocate(distributor_id: int):
    """Give them units from the main stock (a consignment move)."""
    distributor = db.get_or_404(Distributor, distributor_id)
    form = _allocate_form(request.form)
    if form.validate_on_submit():
        product_id, option_id = form.product_and_option
        if write_catalog(
            form,
            services.allocate,
            distributor,
            db.get_or_404(Product, product_id),
            option_id=option_id,
            units=form.units.data,
            actor=current_user.email,
            now=utcnow(),
        ):
            return _done(distributor, _("Allocated: the units left the main stock."))
    return _page(distributor, allocate=form, status=422)


@bp.post("/distributors/<int:distributor_id>/return")
def distributor_return(distributor_id: int):
    """Unsold units they sent back go into the main stock."""
    distributor = db.get_or_404(Distributor, distributor_id)
    form = ReturnForm(_rows(distributor), request.form)
    if form.validate_on_submit() and write_catalog(
        form,
        services.take_back,
        _held_or_404(distributor, form.row.data),
        units=form.units.data,
        actor=current_user.email,
        now=utcnow(),
    ):
        return _done(distributor, _("The units are back in the main stock."))
    return _page(distributor, give_back=form, status=422)


@bp.post("/distributors/<int:distributor_id>/sale")
def distributor_sale(distributor_id: int):
    """A sale they reported, typed in by hand: a paid order."""
    distributor = db.get_or_404(Distributor, distributor_id)
    form = SaleForm(_rows(distributor), request.form)
    if form.validate_on_submit():
        line = SaleLine(
            row=_held_or_404(distributor, form.row.data),
            quantity=form.quantity.data,
            unit_price_cents=form.unit_price.data,
            sold_at=at_noon(form.sold_on.data),
        )
        if write_catalog(
            form, services.record_sales, distributor, [line], actor=current_user.email, now=utcnow()
        ):
            return _done(distributor, _("The sale is recorded."))
    return _page(distributor, sale=form, status=422)


@bp.post("/distributors/<int:distributor_id>/statement")
def distributor_import(distributor_id: int):
    """Import their statement: every row checked, all imported or none."""
    distributor = db.get_or_404(Distributor, distributor_id)
    form = StatementForm()
    if not form.validate_on_submit():
        return _page(distributor, statement=form, status=422)
    data = form.statement.data.read(STATEMENT_MAX_BYTES + 1)
    if len(data) > STATEMENT_MAX_BYTES:
        form.statement.errors = [_("The file is over 1 MB: split the statement.")]
        return _page(distributor, statement=form, status=422)
    try:
        orders = import_statement(
            db.session, distributor, data, actor=current_user.email, now=utcnow()
        )
    except StatementRefused as refused:
        db.session.rollback()
        return _page(distributor, statement=form, errors=refused.errors, status=422)
    except ChannelRefused as refused:
        form.apply_refusal(refused)
        return _page(distributor, statement=form, status=422)
    count = sum(len(order.lines) for order in orders)
    message = ngettext("%(num)d sale imported.", "%(num)d sales imported.", count)
    return _done(distributor, message)


def _rows(distributor: Distributor) -> list[DistributorStock]:
    return services.distributor_summary(db.session, distributor).rows


def _held_or_404(distributor: Distributor, row_id: int) -> DistributorStock:
    row = db.get_or_404(DistributorStock, row_id)
    if row.distributor_id != distributor.id:
        abort(404)
    return row


def _allocate_form(formdata=None) -> AllocateForm:
    products = db.session.scalars(
        select(Product)
        .where(Product.active.is_(True), Product.kind != ProductKind.DIGITAL)
        .options(selectinload(Product.release), selectinload(Product.options))
        .order_by(Product.release_id, Product.id)
    ).all()
    return AllocateForm(list(products), formdata=formdata)


def _done(distributor: Distributor, message: str):
    flash(message, "success")
    return redirect(url_for("admin.distributor_detail", distributor_id=distributor.id))


def _page(distributor: Distributor, *, status: int = 200, errors=(), **forms):
    summary = services.distributor_summary(db.session, distributor)
    rows = list(summary.rows)
    page = render_template(
        "admin/distributors/detail.html",
        summary=summary,
        allocate=forms.get("allocate") or _allocate_form(),
        give_back=forms.get("give_back") or ReturnForm(rows, formdata=None),
        sale=forms.get("sale") or SaleForm(rows, formdata=None),
        statement=forms.get("statement") or StatementForm(formdata=None),
        errors=errors,
    )
    return page, status
