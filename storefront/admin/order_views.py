"""Orders: the list (by status, paginated) and one order's page, with its history and
the forms of what the label may do with it (the actions are in `order_actions`)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.admin import bp
from storefront.admin.access import staff_allowed
from storefront.admin.order_forms import ActionForm, RefundForm, ShipForm
from storefront.admin.payment_problems import problem_notes
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.ids import parse_id
from storefront.orders.actions import actions_for
from storefront.orders.history import EventKind, history_of
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus
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
}


@bp.get("/orders")
@staff_allowed
def orders():
    """Orders, newest first, optionally of one status only."""
    status, notice = request.args.get("status", ""), None
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if status in STATUS_LABELS:
        query = query.where(Order.status == status)
    elif status:
        notice = _("There is no status “%(status)s”: showing every order.", status=status)
        status = ""
    number = request.args.get("page", 1, type=parse_id)  # ?page=-1, abc or 10**20: page 1
    page = db.paginate(
        query, page=number, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "admin/orders.html",
        page=page,
        status=status,
        statuses=STATUS_LABELS,
        notice=notice,
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
        problems=problem_notes(db.session, order),
        history=history_of(db.session, order),
        actions=actions_for(view),
        ship_form=ship_form or ShipForm(formdata=None, prefix="ship"),
        refund_form=refund_form or RefundForm(formdata=None, prefix="refund"),
        action_form=ActionForm(formdata=None),
    )
    return page, code
