"""Orders: the list (filtered, paginated) and one order's page, with its history, its
parcels and returns, and the forms of what the label may do with it (the actions are
in `order_actions`)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.fulfilment_forms import ParcelForm, ReturnForm
from storefront.admin.order_forms import ActionForm, RefundForm, ShipForm
from storefront.admin.payment_problems import problem_notes
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.fulfilment.filters import filter_choices, orders_query, parse_filter
from storefront.fulfilment.models import ReturnOutcome, ReturnReason
from storefront.fulfilment.parcels import parcels_of, units_to_ship
from storefront.fulfilment.returns import (
    OUTCOME_LABELS,
    REASON_LABELS,
    returnable_units,
    returns_of,
)
from storefront.ids import parse_id
from storefront.orders.actions import actions_for
from storefront.orders.history import EventKind, history_of
from storefront.orders.models import Order
from storefront.orders.states import Channel, OrderStatus
from storefront.orders.view import order_view
from storefront.payments.problems import orders_with_problems

PER_PAGE = 50
STATUS_LABELS = {
    OrderStatus.PENDING: _l("Pending"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.EXPIRED: _l("Expired"),
    OrderStatus.CANCELED: _l("Canceled"),
    OrderStatus.REFUNDED: _l("Refunded"),
}
EVENT_LABELS = {
    EventKind.PLACED: _l("Placed"),
    EventKind.STATUS: _l("Status"),
    EventKind.PAYMENT: _l("Payment"),
    EventKind.REFUND: _l("Refund"),
    EventKind.MAIL: _l("Mail"),
    EventKind.PROVIDER: _l("Payment provider"),
    EventKind.PARCEL: _l("Parcel"),
    EventKind.RETURN: _l("Return"),
}
CHANNEL_LABELS = {
    Channel.SHOP: _l("Shop"),
    Channel.STAND: _l("Stand"),
    Channel.DISTRIBUTOR: _l("Distributor"),
}


@bp.get("/orders")
@staff_allowed
def orders():
    """Orders, newest first, narrowed by any mix of the filters (bad values are said)."""
    chosen, notices = parse_filter(db.session, request.args)
    number = request.args.get("page", 1, type=parse_id)  # ?page=-1, abc or 10**20: page 1
    page = db.paginate(
        orders_query(chosen), page=number, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "admin/orders.html",
        page=page,
        chosen=chosen,
        choices=filter_choices(db.session),
        statuses=STATUS_LABELS,
        channels=CHANNEL_LABELS,
        notices=notices,
        refused=orders_with_problems(db.session, page.items),
    )


@bp.get("/orders/<reference>")
@staff_allowed
def order_detail(reference: str):
    """One order: what was bought, where it goes, how it was paid and refunded, its history."""
    return order_page(order_or_404(reference))


def order_or_404(reference: str) -> Order:
    """The order `reference`, with its lines and refunds; 404 when there is none."""
    return db.first_or_404(
        select(Order)
        .where(Order.reference == reference)
        .options(selectinload(Order.lines), selectinload(Order.refunds))
    )


def order_page(
    order: Order,
    *,
    ship_form: ShipForm | None = None,
    refund_form: RefundForm | None = None,
    parcel_form: ParcelForm | None = None,
    return_form: ReturnForm | None = None,
    code: int = 200,
):
    """The order's admin page; a form sent back with errors is shown as it was typed."""
    view = order_view(db.session, order, now=utcnow())
    page = render_template(
        "admin/order.html",
        order=order,
        view=view,
        statuses=STATUS_LABELS,
        event_labels=EVENT_LABELS,
        reason_labels=REASON_LABELS,
        outcome_labels=OUTCOME_LABELS,
        problems=problem_notes(db.session, order),
        history=history_of(db.session, order),
        actions=actions_for(view),
        parcels=parcels_of(db.session, order),
        returns=returns_of(db.session, order),
        ship_form=ship_form or ShipForm(formdata=None, prefix="ship"),
        refund_form=refund_form or RefundForm(formdata=None, prefix="refund"),
        parcel_form=parcel_form or parcel_form_for(order, formdata=None),
        return_form=return_form or return_form_for(order, formdata=None),
        action_form=ActionForm(formdata=None),
    )
    return page, code


def parcel_form_for(order: Order, **kwargs) -> ParcelForm | None:
    """The parcel form with a field per line still waiting (None: nothing waits)."""
    left = units_to_ship(db.session, order) if order.status == OrderStatus.PAID else {}
    lines = [(line, left[line.id]) for line in order.lines if left.get(line.id)]
    return ParcelForm.for_lines(lines, prefix="parcel", **kwargs) if lines else None


def return_form_for(order: Order, **kwargs) -> ReturnForm | None:
    """The return form with a field per line that may come back (None: none may)."""
    left = returnable_units(db.session, order)
    lines = [(line, left[line.id]) for line in order.lines if left.get(line.id)]
    if not lines:
        return None
    defaults = {"reason": ReturnReason.DAMAGED, "outcome": ReturnOutcome.RESTOCK}
    return ReturnForm.for_lines(lines, prefix="return", **defaults, **kwargs)
