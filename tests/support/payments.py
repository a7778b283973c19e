"""Helpers for the payment tests: Stripe checkouts, Stripe-shaped events, reading state.

Plain functions, not fixtures: they take the `client` / `stripe_http` fixtures they need
as arguments. Filling a cart and the checkout form come from `tests.support.shop`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import count

from sqlalchemy import func, select, update

from storefront.catalog.models import Product
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, Refund
from storefront.orders.services import expire_due_orders
from storefront.payments.models import PaymentEvent
from tests.conftest import order_by_reference
from tests.support.shop import add_to_cart, checkout
from tests.support.stripe_fakes import checkout_session, event

_ids = count(1)


def unique(prefix: str) -> str:
    """A fresh Stripe-looking id (`evt_7`, `cs_test_8`...)."""
    return f"{prefix}_{next(_ids)}"


# --- the fan's side ---------------------------------------------------------------------


def cart_quantities(client) -> dict[str, int]:
    """What the fan's session cart holds, as `{"product_id:option_id": quantity}`."""
    with client.session_transaction() as session:
        return dict(session.get("cart") or {})


def stripe_checkout(
    client, stripe_http, *products: Product, quantity: int = 1, session_id: str | None = None
) -> tuple[str, str]:
    """Fill the cart and check out with Stripe; (order reference, Checkout Session id).

    The fake answers POST /v1/checkout/sessions with a session; the order reference is
    read back from what the shop sent Stripe.
    """
    session_id = session_id or unique("cs_test")
    for product in products:
        assert add_to_cart(client, product, quantity).status_code == 302
    stripe_http.queue(checkout_session("ignored", id=session_id))
    response = checkout(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    return stripe_http.requests[-1].form["client_reference_id"], session_id


def expire_locally(reference: str) -> None:
    """The reservation ran out and the sweeper expired the order (its stock goes back)."""
    order = order_by_reference(reference)
    order.reserved_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert expire_due_orders(db.session, now=utcnow()) == 1
    assert order_by_reference(reference).status == "expired"


def sell_out(product: Product) -> None:
    """The last copies go elsewhere (sold at a gig): nothing left to take."""
    db.session.execute(update(Product).where(Product.id == product.id).values(stock=0))
    db.session.commit()


# --- Stripe's side ----------------------------------------------------------------------


def session_event(
    event_type: str,
    reference: str,
    *,
    session_id: str,
    payment_status: str = "paid",
    payment_intent: str | None = None,
    status: str = "complete",
    amount_total: int | None = None,
    id: str | None = None,
) -> dict:
    """A `checkout.session.*` event for the order `reference`, for what it costs unless
    `amount_total` says otherwise."""
    obj = checkout_session(
        reference,
        id=session_id,
        status=status,
        payment_status=payment_status,
        payment_intent=payment_intent,
        amount_total=order_total(reference) if amount_total is None else amount_total,
    )
    return event(event_type, obj, id=id or unique("evt"))


def order_total(reference: str) -> int:
    """What Stripe charges for the order `reference` (0 for an order we do not know)."""
    order = order_by_reference(reference)
    return order.total_cents if order else 0


def completed(reference: str, *, session_id: str, payment_intent: str, **fields) -> dict:
    return session_event(
        "checkout.session.completed",
        reference,
        session_id=session_id,
        payment_intent=payment_intent,
        **fields,
    )


def charge_refunded(
    *,
    payment_intent: str,
    amount: int,
    refunds: Sequence[tuple[str, int]] = (),
    amount_refunded: int | None = None,
    charge_id: str = "ch_test_1",
    listed: bool = True,
    id: str | None = None,
) -> dict:
    """A `charge.refunded` event for the charge's `refunds` so far, (id, amount) oldest
    first; Stripe lists them newest first, and recent API versions not at all (`listed`
    False). `amount_refunded` is cumulative: their sum unless given."""
    refunded = sum(cents for _id, cents in refunds) if amount_refunded is None else amount_refunded
    charge = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_refunded": refunded,
        "currency": "eur",
        "payment_intent": payment_intent,
        "refunded": refunded >= amount,
        "status": "succeeded",
    }
    if listed:
        charge["refunds"] = refund_list(
            [
                refund_object(payment_intent=payment_intent, amount=cents, id=refund_id)
                for refund_id, cents in reversed(refunds)
            ]
        )
    return event("charge.refunded", charge, id=id or unique("evt"))


def refund_list(refunds: list[dict], *, has_more: bool = False) -> dict:
    """A Stripe list of refund objects, as GET /v1/refunds answers or a charge embeds it."""
    return {"object": "list", "data": refunds, "has_more": has_more, "url": "/v1/refunds"}


def refund_object(
    *, payment_intent: str, amount: int, id: str = "re_test_1", status: str = "succeeded"
) -> dict:
    """What POST /v1/refunds answers."""
    return {
        "id": id,
        "object": "refund",
        "amount": amount,
        "charge": "ch_test_1",
        "currency": "eur",
        "payment_intent": payment_intent,
        "status": status,
    }


# --- reading state ----------------------------------------------------------------------


def mails(kind: str | None = None) -> list[OutboxMessage]:
    """The outbox, oldest first, optionally only one kind (`order_confirmation`...)."""
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def stock(product: Product) -> int | None:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def refunds(reference: str) -> list[Refund]:
    order = order_by_reference(reference)
    return list(
        db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))
    )


def stored_events() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PaymentEvent))


def snapshot(reference: str) -> dict:
    """Everything a replayed event must leave alone, for before/after comparisons."""
    order: Order = order_by_reference(reference)
    return {
        "status": order.status,
        "paid_at": order.paid_at,
        "refunded_cents": order.refunded_cents,
        "stock_held": order.stock_held,
        "closed_at": order.closed_at,
        "notice": order.notice,
        "refunds": [(r.amount_cents, r.provider_refund_id) for r in refunds(reference)],
        "mails": [m.kind for m in mails()],
        "stock": {line.product_id: stock(line.product) for line in order.lines},
    }
