"""Fulfilment: the orders waiting to ship (tick, type tracking numbers, ship them at once),
their pick list and packing slips to print, the addresses as CSV for a carrier's label
tool, the CSV import of tracking numbers, and a campaign's batch of preorders. Staff
may do all of it; returns, which move money, are on the order page, for admins."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.fulfilment_forms import (
    MAX_CSV_CHARS,
    BatchForm,
    ToShipForm,
    TrackingConfirmForm,
    TrackingImportForm,
)
from storefront.admin.helpers import render_form
from storefront.clock import utcnow
from storefront.csvout import csv_download
from storefront.errors import StorefrontError
from storefront.extensions import db
from storefront.fulfilment import batches, bulk
from storefront.fulfilment.picking import packing_slip, pick_list, waiting_orders
from storefront.ids import parse_id
from storefront.orders.models import Order
from storefront.preorders.models import Campaign


@bp.get("/fulfilment")
@staff_allowed
def fulfilment():
    """The paid orders waiting for their parcel, to tick, print, export and ship."""
    orders = waiting_orders(db.session)
    return _to_ship_page(orders, ToShipForm.for_orders(orders, formdata=None))


@bp.post("/fulfilment/ship")
@staff_allowed
def fulfilment_ship():
    """Ship the ticked orders whole, each with its tracking number, in one go."""
    orders = waiting_orders(db.session)
    form = ToShipForm.for_orders(orders)
    if not form.validate_on_submit():
        return _to_ship_page(orders, form, code=422)
    ticked = set(_ticked_ids(request.form) or ())
    dispatches, errors = bulk.dispatches_from(form.rows(orders, ticked), form.carrier.data)
    shipped = _ship(
        lambda: bulk.ship_all(db.session, dispatches, now=utcnow(), actor=_actor()), errors
    )
    if shipped is None:
        return _to_ship_page(orders, form, code=422)
    return redirect(url_for("admin.fulfilment"))


@bp.get("/fulfilment/print")
@staff_allowed
def fulfilment_print():
    """The pick list and a packing slip per order: the ticked ones, or every waiting one."""
    orders = waiting_orders(db.session, order_ids=_ticked_ids(request.args))
    return _print_page(orders, back=url_for("admin.fulfilment"))


@bp.get("/fulfilment/addresses.csv")
@staff_allowed
def fulfilment_addresses():
    """The waiting orders' addresses (the ticked ones, or all) for a carrier's label tool."""
    orders = waiting_orders(db.session, order_ids=_ticked_ids(request.args))
    return csv_download(bulk.addresses_csv(db.session, orders), "addresses.csv")


@bp.route("/fulfilment/import", methods=["GET", "POST"])
@staff_allowed
def fulfilment_import():
    """Check a CSV of tracking numbers: each bad row with its number and what is wrong."""
    form = TrackingImportForm()
    if not form.validate_on_submit():
        return render_form("admin/fulfilment/import.html", form=form, preview=None)
    text = _read_csv(form)
    if text is None:
        return render_form("admin/fulfilment/import.html", form=form, preview=None)
    return _import_preview(text, form)


@bp.post("/fulfilment/import/confirm")
@staff_allowed
def fulfilment_import_confirm():
    """Ship every order of the checked file, all or none (the file is checked again)."""
    confirm = TrackingConfirmForm()
    if not confirm.validate_on_submit():
        flash(_("The checked file did not come back: import it again."), "error")
        return redirect(url_for("admin.fulfilment_import"))
    rows, errors = _checked_rows(db.session, confirm.content.data)
    if errors:
        return _import_preview(confirm.content.data, TrackingImportForm(formdata=None))
    dispatches = [dispatch for _number, dispatch in rows]
    shipped = _ship(lambda: bulk.ship_all(db.session, dispatches, now=utcnow(), actor=_actor()))
    if shipped is None:
        return redirect(url_for("admin.fulfilment_import"))
    return redirect(url_for("admin.fulfilment"))


@bp.get("/fulfilment/campaigns/<int:campaign_id>")
@staff_allowed
def fulfilment_batch(campaign_id: int):
    """A campaign's paid preorders waiting to ship, and its one "ship this batch" action."""
    campaign = db.get_or_404(Campaign, campaign_id)
    batch = batches.campaign_batch(db.session, campaign, now=utcnow())
    return _batch_page(batch, BatchForm.for_batch(batch.orders, formdata=None))


@bp.post("/fulfilment/campaigns/<int:campaign_id>/ship")
@staff_allowed
def fulfilment_batch_ship(campaign_id: int):
    """Ship the campaign's whole batch; refused before its date or its pressing."""
    campaign = db.get_or_404(Campaign, campaign_id)
    batch = batches.campaign_batch(db.session, campaign, now=utcnow())
    form = BatchForm.for_batch(batch.orders)
    if not form.validate_on_submit():
        return _batch_page(batch, form, code=422)
    shown = form.shown_orders(batch.orders)
    dispatches, errors = bulk.dispatches_from(form.rows(shown, None), form.carrier.data)

    def ship() -> int:
        return batches.ship_batch(
            db.session, campaign, dispatches=dispatches, now=utcnow(), actor=_actor()
        )

    if _ship(ship, errors) is None:
        return _batch_page(batch, form, code=422)
    return redirect(url_for("admin.fulfilment_batch", campaign_id=campaign.id))


@bp.get("/fulfilment/campaigns/<int:campaign_id>/print")
@staff_allowed
def fulfilment_batch_print(campaign_id: int):
    """The batch's pick list and packing slips."""
    campaign = db.get_or_404(Campaign, campaign_id)
    orders = batches.batch_orders(db.session, campaign)
    return _print_page(orders, back=url_for("admin.fulfilment_batch", campaign_id=campaign.id))


def _actor() -> str:
    return current_user.email


def _ticked_ids(values: MultiDict) -> list[int] | None:
    """The orders ticked on the list (`order=12&order=15`), None when none is: then all.
    What is not an id is ignored (it names no order)."""
    ids = []
    for value in values.getlist("order"):
        try:
            ids.append(parse_id(value))
        except ValueError:
            continue
    return ids or None


def _ship(call, errors: list[str] | None = None) -> int | None:
    """Run a shipping service; flash how many orders left, or why none did (None)."""
    for error in errors or ():
        flash(error, "error")
    if errors:
        return None
    try:
        shipped = call()
    except StorefrontError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return None
    message = ngettext(
        "%(num)d order shipped; its fan gets a mail.",
        "%(num)d orders shipped; each fan gets a mail.",
        shipped,
    )
    flash(message, "success")
    return shipped


def _read_csv(form: TrackingImportForm) -> str | None:
    data = form.file.data.read(MAX_CSV_CHARS + 1)
    if len(data) > MAX_CSV_CHARS:
        form.file.errors = [_("The file is too large: import it in smaller parts.")]
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text: save it as CSV (UTF-8).")]
        return None


def _checked_rows(session: Session, text: str):
    rows, errors = bulk.parse_tracking_csv(text)
    errors = sorted([*errors, *bulk.check_dispatches(session, rows)], key=lambda e: e.row)
    return rows, errors


def _import_preview(text: str, form: TrackingImportForm):
    rows, errors = _checked_rows(db.session, text)
    confirm = TrackingConfirmForm(formdata=None, content=text)
    preview = {"rows": rows, "errors": errors}
    page = render_template(
        "admin/fulfilment/import.html", form=form, preview=preview, confirm=confirm
    )
    return page, 422 if errors else 200


def _to_ship_page(orders: list[Order], form: ToShipForm, code: int = 200):
    page = render_template(
        "admin/fulfilment/to_ship.html",
        orders=orders,
        form=form,
        picks=pick_list(db.session, orders),
        campaigns=batches.campaigns_waiting(db.session),
    )
    return page, code


def _batch_page(batch: batches.Batch, form: BatchForm, code: int = 200):
    picks = pick_list(db.session, batch.orders)
    page = render_template("admin/fulfilment/batch.html", batch=batch, form=form, picks=picks)
    return page, code


def _print_page(orders: list[Order], *, back: str):
    now = utcnow()
    slips = [packing_slip(db.session, order, now=now) for order in orders]
    picks = pick_list(db.session, orders)
    return render_template("admin/fulfilment/print.html", slips=slips, picks=picks, back=back)
