"""The stock, label side: every physical product's figure with its restock alert, and a
product's stock page (its moves line by line, losses, the count, the threshold and the
restock orders). Staff may read; the forms are for admins (`access`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_reads
from storefront.admin.helpers import write_catalog
from storefront.admin.stock_forms import (
    CountForm,
    LossForm,
    ReceiveForm,
    RestockForm,
    ThresholdForm,
    at_noon,
)
from storefront.catalog.models import Product, ProductKind
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.inventory import restocks, services
from storefront.inventory.alerts import products_under_threshold
from storefront.inventory.models import RestockOrder
from storefront.inventory.thresholds import threshold


@bp.route("/stock", methods=["GET"])
@staff_reads
def stock_list():
    """Every physical product's stock, those under their threshold first."""
    products = db.session.scalars(
        select(Product)
        .where(Product.kind != ProductKind.DIGITAL)
        .options(selectinload(Product.release), selectinload(Product.options))
        .order_by(Product.release_id, Product.position, Product.id)
    ).all()
    low = products_under_threshold(db.session)
    limits = {
        product.id: threshold(product.restock_threshold, product.last_run) for product in products
    }
    return render_template("admin/stock/list.html", products=products, low=low, limits=limits)


@bp.route("/products/<int:product_id>/stock", methods=["GET"])
@staff_reads
def stock_product(product_id: int):
    """A product's stock explained move by move, and what the label may do about it."""
    return _page(_physical_or_404(product_id))


@bp.post("/products/<int:product_id>/stock/loss")
def stock_loss(product_id: int):
    """Units broken, lost or given away leave the stock."""
    product = _physical_or_404(product_id)
    form = LossForm(product, request.form)
    if form.validate_on_submit() and write_catalog(
        form,
        services.record_loss,
        product,
        option_id=form.option_id,
        quantity=form.quantity.data,
        note=form.note.data or "",
        actor=current_user.email,
        now=utcnow(),
    ):
        return _done(product, _("The loss is recorded."))
    return _page(product, loss=form, status=422)


@bp.post("/products/<int:product_id>/stock/count")
def stock_count(product_id: int):
    """The figures counted on the shelf replace the stock (a correction each)."""
    product = _physical_or_404(product_id)
    form = CountForm.for_product(product, request.form)
    counts = form.counts() if form.validate_on_submit() else None
    if (
        counts is not None
        and write_catalog(
            form,
            services.correct_stock,
            product,
            counts=counts,
            note=form.note.data or "",
            actor=current_user.email,
            now=utcnow(),
        )
        is not None
    ):
        return _done(product, _("The count is saved."))
    if counts is None and not form.errors:
        form.form_errors.append(_("The page was out of date: count again."))
    return _page(product, count=form, status=422)


@bp.post("/products/<int:product_id>/stock/threshold")
def stock_threshold(product_id: int):
    """The label's own restock threshold for the product (empty: 25 % of the last run)."""
    product = _physical_or_404(product_id)
    form = ThresholdForm(request.form)
    if form.validate_on_submit() and write_catalog(
        form, services.set_threshold, product, units=form.units.data, now=utcnow()
    ):
        return _done(product, _("The threshold is saved."))
    return _page(product, threshold=form, status=422)


@bp.post("/products/<int:product_id>/restocks")
def stock_restock(product_id: int):
    """Record a repress or reorder placed with a supplier."""
    product = _physical_or_404(product_id)
    form = RestockForm(product, request.form)
    if form.validate_on_submit() and write_catalog(
        form,
        restocks.order_restock,
        product,
        option_id=form.option_id,
        quantity=form.quantity.data,
        supplier=form.supplier.data or "",
        ordered_at=at_noon(form.ordered_on.data),
        note=form.note.data or "",
        actor=current_user.email,
    ):
        return _done(product, _("The restock order is recorded."))
    return _page(product, restock=form, status=422)


@bp.post("/restocks/<int:restock_id>/receive")
def stock_receive(restock_id: int):
    """The restock arrived: its units go into the stock."""
    restock = db.get_or_404(RestockOrder, restock_id)
    form = ReceiveForm.for_restock(restock, request.form)
    if form.validate_on_submit() and write_catalog(
        form,
        restocks.receive_restock,
        restock,
        received_at=at_noon(form.received_on.data),
        quantity=form.quantity.data,
        actor=current_user.email,
        now=utcnow(),
    ):
        return _done(restock.product, _("Received: the units are in the stock."))
    return _page(restock.product, receive={restock.id: form}, status=422)


def _physical_or_404(product_id: int) -> Product:
    product = db.get_or_404(Product, product_id)
    if not product.is_physical:
        abort(404)  # a digital product has no stock
    return product


def _done(product: Product, message: str):
    flash(message, "success")
    return redirect(url_for("admin.stock_product", product_id=product.id))


def _page(product: Product, *, status: int = 200, receive: dict | None = None, **forms):
    waiting = restocks.restock_orders(db.session, product)
    receive_forms = {
        restock.id: ReceiveForm.for_restock(restock)
        for restock in waiting
        if restock.received_at is None
    } | (receive or {})
    page = render_template(
        "admin/stock/product.html",
        product=product,
        ledger=services.stock_ledger(db.session, product),
        restocks=waiting,
        loss=forms.get("loss") or LossForm(product, formdata=None),
        count=forms.get("count") or CountForm.for_product(product),
        threshold=forms.get("threshold")
        or ThresholdForm(formdata=None, units=product.restock_threshold),
        restock=forms.get("restock") or RestockForm(product, formdata=None),
        receive=receive_forms,
    )
    return page, status
