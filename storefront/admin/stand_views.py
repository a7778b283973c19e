"""The merch stand, for staff on a phone (`/stand`): tonight's gig, a grid of what the
stand holds, tap to add, then cash, the card terminal, or a QR the fan pays with on
their own phone. Every account may sell here; a stand account reaches nothing else.

Without JavaScript it works online, one form per tap; with it (static/js/stand.js) the
sale is built on the phone, kept there while the venue has no signal and sent, with its
own id, when the connection comes back (`sales_json`)."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.admin.access import keep_private, sign_in_first, staff_member, staff_signed_in
from storefront.admin.stand_forms import SellForm, StandItemForm
from storefront.clock import utcnow
from storefront.errors import StorefrontError
from storefront.extensions import db
from storefront.money import format_cents
from storefront.orders.cart import MAX_QUANTITY
from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from storefront.payments.provider import checkout_provider_name
from storefront.payments.services import abandon_payment
from storefront.quests.models import Gig
from storefront.quests.posters import qr_svg
from storefront.quests.services import gig_view
from storefront.shop.forms import ConfirmForm
from storefront.stand.sales import PaymentMethod, SaleLine, StandSale, record_sale
from storefront.stand.stock import open_stands
from storefront.stand.summary import night_summary, stand_tiles

stand_bp = Blueprint("stand", __name__)


@stand_bp.before_request
def _signed_in_only():
    # Every account may sell here: admins, staff and stand accounts.
    return None if staff_signed_in() else sign_in_first()


stand_bp.after_request(keep_private)
stand_bp.context_processor(staff_member)


@stand_bp.get("/")
def home():
    """Choose tonight's gig among those whose stand holds stock."""
    now = utcnow()
    views = [gig_view(gig, now=now) for gig in open_stands(db.session)]
    return render_template("stand/home.html", views=views)


@stand_bp.get("/gigs/<int:gig_id>")
def gig(gig_id: int):
    """The grid, the sale being made, and the ways to pay."""
    found = db.get_or_404(Gig, gig_id)
    return _stand_page(found, SellForm.fresh())


def _stand_page(found: Gig, form: SellForm, status: int = 200):
    tiles = stand_tiles(db.session, found, _sale_quantities(found))
    page = render_template(
        "stand/gig.html",
        view=gig_view(found, now=utcnow()),
        tiles=tiles,
        total_cents=sum(tile.price_cents * tile.in_sale for tile in tiles),
        currency=tiles[0].currency if tiles else "EUR",
        form=form,
        item_form=StandItemForm(formdata=None),
    )
    return page, status


@stand_bp.post("/gigs/<int:gig_id>/items")
def gig_item(gig_id: int):
    """One tap on a tile (without JavaScript): one more, or one less, of it."""
    found = db.get_or_404(Gig, gig_id)
    form = StandItemForm()
    if form.validate_on_submit():
        quantities = _sale_quantities(found)
        count = quantities.get(form.key.data, 0) + (-1 if form.remove.data else 1)
        quantities[form.key.data] = max(0, min(count, MAX_QUANTITY))
        _keep_sale(found, {key: n for key, n in quantities.items() if n})
    return redirect(url_for("stand.gig", gig_id=found.id))


@stand_bp.post("/gigs/<int:gig_id>/sell")
def gig_sell(gig_id: int):
    """Take the payment for the sale on the screen (sent twice: one sale)."""
    found = db.get_or_404(Gig, gig_id)
    form = SellForm()
    if not form.validate_on_submit():
        return _stand_page(found, form, 422)
    try:
        order = _record(found, form.to_sale(_sale_quantities(found)))
    except StorefrontError as refused:
        flash(refused.message, "error")
        return _stand_page(found, SellForm.fresh(), refused.status)
    _keep_sale(found, {})
    if order.status == OrderStatus.PENDING:
        return redirect(url_for("stand.sale_qr", reference=order.reference))
    flash(_sold_message(order), "success")
    return redirect(url_for("stand.gig", gig_id=found.id))


@stand_bp.post("/gigs/<int:gig_id>/sales")
def sales_json(gig_id: int):
    """A sale the stand's phone kept while offline (JSON, with its own id): recorded
    once however often it is sent."""
    found = db.get_or_404(Gig, gig_id)
    try:
        sale = _sale_from_json(request.get_json(silent=True))
        order = _record(found, sale)
    except StorefrontError as refused:
        return jsonify(error=refused.code, message=refused.message), refused.status
    pay_url = None
    if order.status == OrderStatus.PENDING:
        pay_url = url_for("stand.sale_qr", reference=order.reference)
    return jsonify(
        reference=order.reference,
        status=order.status,
        total_cents=order.total_cents,
        message=_sold_message(order),
        pay_url=pay_url,
    )


class BadSale(StorefrontError):
    code = "bad_sale"
    status = 422


def _sale_from_json(data: object) -> StandSale:
    """What the phone sent, checked field by field (anything else: a clear 422)."""
    try:
        lines = tuple(
            SaleLine(
                _id(line["product_id"]), _id(line.get("option_id")) or None, int(line["quantity"])
            )
            for line in data["lines"]
        )
        return StandSale(
            str(data["client_id"]),
            lines,
            PaymentMethod(data["method"]),
            str(data.get("email") or "")[:254],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BadSale(_("This sale could not be read: make it again.")) from error


def _id(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise ValueError(value)
    return value


def _record(found: Gig, sale: StandSale) -> Order:
    return record_sale(
        db.session,
        found,
        replace(sale, locale=str(get_locale())),
        staff=current_user.email,
        online_provider=checkout_provider_name(),
        now=utcnow(),
        reservation_minutes=current_app.config["RESERVATION_MINUTES"],
    )


def _sold_message(order: Order) -> str:
    if order.status == OrderStatus.PENDING:
        return _("Waiting for the fan's payment on their phone.")
    total = format_cents(order.total_cents, order.currency, str(get_locale()))
    return _("Sold: %(total)s.", total=total)


@stand_bp.get("/sales/<reference>/qr")
def sale_qr(reference: str):
    """The QR the fan scans to pay this sale on their own phone; the page follows the
    payment (it reloads itself until the sale is paid)."""
    order = _stand_order(reference)
    pay_url = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(
        "shop.order_pay", reference=order.reference
    )
    return render_template(
        "stand/sale_qr.html",
        order=order,
        qr=qr_svg(pay_url),
        pay_url=pay_url,
        status=OrderStatus,
        cancel_form=ConfirmForm(),
    )


@stand_bp.post("/sales/<reference>/cancel")
def sale_cancel(reference: str):
    """The fan walked away without paying on their phone: the items are the stand's again
    at once, not when the reservation runs out."""
    order = _stand_order(reference)
    pending = ConfirmForm().validate_on_submit() and order.status == OrderStatus.PENDING
    if pending and abandon_payment(db.session, order, now=utcnow(), actor=current_user.email):
        flash(_("Sale canceled: its items are back on the stand."), "info")
        return redirect(url_for("stand.gig", gig_id=order.gig_id))
    return redirect(url_for("stand.sale_qr", reference=order.reference))


def _stand_order(reference: str) -> Order:
    return db.one_or_404(
        select(Order).where(Order.reference == reference, Order.channel == Channel.STAND)
    )


@stand_bp.get("/gigs/<int:gig_id>/summary")
def gig_summary(gig_id: int):
    """The end of the night: units and takings by product and by payment method."""
    summary = night_summary(db.session, db.get_or_404(Gig, gig_id))
    return render_template("stand/summary.html", summary=summary, methods=PaymentMethod)


def _sale_quantities(found: Gig) -> dict[str, int]:
    kept = session.get("stand_sale")
    if not isinstance(kept, dict) or kept.get("gig") != found.id:
        return {}
    items = kept.get("items")
    return {str(k): int(v) for k, v in items.items()} if isinstance(items, dict) else {}


def _keep_sale(found: Gig, quantities: dict[str, int]) -> None:
    session["stand_sale"] = {"gig": found.id, "items": quantities}
