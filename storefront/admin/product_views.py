"""Products of a release: formats and merch, prices, stock and options, downloads."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from storefront.admin import bp
from storefront.admin.access import staff_reads
from storefront.admin.forms import ProductForm
from storefront.admin.helpers import back_to_release, render_form, write_catalog
from storefront.admin.uploads import DOWNLOAD
from storefront.catalog.admin_services import create_product, update_product
from storefront.catalog.models import Product, Release
from storefront.editions.services import edition_for_product
from storefront.extensions import db


@bp.route("/releases/<int:release_id>/products/new", methods=["GET", "POST"])
def product_new(release_id: int):
    """Add a product (a format or merch) to a release."""
    release = db.get_or_404(Release, release_id)
    form = ProductForm()
    if form.validate_on_submit():
        files = {"download_path": (form.download, DOWNLOAD)}
        if write_catalog(
            form, create_product, release, fields=form.to_fields(), files=files, actor=_actor()
        ):
            flash(_("Product added."), "success")
            return back_to_release(release.id, "products")
    return render_form("admin/product_form.html", form=form, release=release, product=None)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@staff_reads
def product_edit(product_id: int):
    """Change a product: name, price, stock or options, shipping, sale, download."""
    product = db.get_or_404(Product, product_id)
    form = ProductForm.for_product(product)
    if form.validate_on_submit():
        files = {"download_path": (form.download, DOWNLOAD)}
        fields, seen = form.to_fields(), form.seen()
        if write_catalog(
            form, update_product, product, fields=fields, seen=seen, files=files, actor=_actor()
        ):
            flash(_("Product saved."), "success")
            return back_to_release(product.release_id, "products")
    edition = edition_for_product(db.session, product.id)
    return render_form(
        "admin/product_form.html",
        form=form,
        release=product.release,
        product=product,
        edition=edition,
    )


def _actor() -> str:
    """Who the stock moves of a product form name: the signed-in admin."""
    return current_user.email
