"""Numbered editions: the list, an edition's page (settings, and the insert pools of
`pool_views`), the draw log, the card codes (CSV and printable sheet) and closing.

Staff may read the list, the draw log and the packing lists; the rest is for admins
(`access`): the edition's page holds the hidden content and the card codes.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.edition_forms import REVEAL_LABELS, EditionForm
from storefront.admin.helpers import render_form, run_write, write_catalog
from storefront.admin.pool_forms import pool_section
from storefront.catalog.models import Product, ProductKind, Release
from storefront.clock import utcnow
from storefront.csvout import csv_download
from storefront.editions import admin_services as services
from storefront.editions import exports
from storefront.editions.models import Edition
from storefront.editions.services import edition_for_product, fairness
from storefront.extensions import db
from storefront.ids import parse_id
from storefront.inserts.admin import largest_pool


@bp.context_processor
def _edition_context() -> dict:
    return {"reveal_modes": REVEAL_LABELS}


# --- editions ---------------------------------------------------------------------------


@bp.get("/editions")
@staff_allowed
def editions():
    """Every edition, latest first, with the copies drawn and left of each variant."""
    query = select(Edition).options(selectinload(Edition.product), selectinload(Edition.variants))
    found = db.session.scalars(query.order_by(Edition.opened_at.desc(), Edition.id.desc()))
    rows = [(e, services.variant_figures(db.session, e)) for e in found]
    return render_template("admin/editions.html", rows=rows, products=_without_edition())


@bp.route("/editions/new", methods=["GET", "POST"])
def edition_new():
    """Set up a numbered edition of a physical product (?product_id=N)."""
    product_id = request.args.get("product_id", type=parse_id)
    product = db.get_or_404(Product, product_id) if product_id is not None else abort(404)
    existing = edition_for_product(db.session, product.id)
    if existing is not None:
        return _back_to_edition(existing.id)
    form = EditionForm(name=f"{product.release.title} — {product.name}")
    if form.validate_on_submit():
        fields, files = form.to_fields(), form.files()
        create = services.create_edition
        edition = write_catalog(form, create, product, fields=fields, now=utcnow(), files=files)
        if edition is not None:
            flash(_("Edition created: %(size)d numbered copies.", size=edition.size), "success")
            return _back_to_edition(edition.id)
    return render_form("admin/edition_new.html", form=form, product=product)


@bp.get("/editions/<int:edition_id>")
def edition_detail(edition_id: int):
    """An edition's page: copies per variant, settings, card content and insert pools."""
    return _edition_page(db.get_or_404(Edition, edition_id))


@bp.post("/editions/<int:edition_id>")
def edition_update(edition_id: int):
    """Save an edition: caps, reveal mode and card always; the run until the first draw."""
    edition = db.get_or_404(Edition, edition_id)
    form = EditionForm.for_edition(edition)
    if form.validate_on_submit():
        fields, files = form.to_fields(), form.files()
        promised = largest_pool(db.session, edition)
        update = services.update_edition
        if write_catalog(form, update, edition, fields=fields, files=files, promised=promised):
            flash(_("Edition saved."), "success")
            return _back_to_edition(edition.id)
    return _edition_page(edition, form=form)


@bp.get("/editions/<int:edition_id>/close")
def edition_close_confirm(edition_id: int):
    """Ask before closing, saying what closing does."""
    edition = db.get_or_404(Edition, edition_id)
    figures = services.variant_figures(db.session, edition)
    return render_template("admin/edition_close.html", edition=edition, figures=figures)


@bp.post("/editions/<int:edition_id>/close")
def edition_close(edition_id: int):
    """Close now: no more draws, and the server seed is revealed."""
    edition = db.get_or_404(Edition, edition_id)
    done = _("Edition closed: its server seed is now public and anyone can replay the draws.")
    back = url_for("admin.edition_detail", edition_id=edition.id)
    return run_write(services.close_by_hand, edition, done, back, now=utcnow())


# --- draw log, cards ------------------------------------------------------


@bp.get("/editions/<int:edition_id>/log")
@staff_allowed
def edition_log(edition_id: int):
    """The public draw log, as the fairness endpoint gives it (the seed once closed)."""
    edition = db.get_or_404(Edition, edition_id)
    data = fairness(db.session, edition)
    return render_template("admin/edition_log.html", edition=edition, data=data)


@bp.get("/editions/<int:edition_id>/cards.csv")
def edition_cards_csv(edition_id: int):
    """The card codes as CSV: number, variant, code and redeem link of every copy."""
    edition = db.get_or_404(Edition, edition_id)
    rows = exports.card_rows(db.session, edition, current_app.config["PUBLIC_URL"])
    return csv_download(exports.cards_csv(rows), f"edition-{edition.id}-cards.csv")


@bp.get("/editions/<int:edition_id>/cards")
def edition_cards(edition_id: int):
    """The printable sheet of cards: each card's QR image and code."""
    edition = db.get_or_404(Edition, edition_id)
    rows = exports.card_rows(db.session, edition, current_app.config["PUBLIC_URL"])
    cards = exports.card_sheet(rows)
    return render_template("admin/edition_cards.html", edition=edition, cards=cards)


# --- helpers ----------------------------------------------------------------------------


def _edition_page(edition: Edition, *, form=None):
    # The form that was not sent is built without the request's data (formdata=None).
    return render_form(
        "admin/edition_edit.html",
        edition=edition,
        figures=services.variant_figures(db.session, edition),
        locked=services.run_is_fixed(db.session, edition),
        form=form or EditionForm.for_edition(edition, formdata=None),
        **pool_section(edition),
    )


def _without_edition() -> list[Product]:
    """Physical products that have no edition yet, for the "new edition" menu."""
    return list(
        db.session.scalars(
            select(Product)
            .join(Release, Release.id == Product.release_id)
            .outerjoin(Edition, Edition.product_id == Product.id)
            .where(Product.kind != ProductKind.DIGITAL, Edition.id.is_(None))
            .options(selectinload(Product.release))
            .order_by(Release.title, Product.name)
        )
    )


def _back_to_edition(edition_id: int, section: str | None = None):
    return redirect(url_for("admin.edition_detail", edition_id=edition_id, _anchor=section))
