"""Order mails as an orders mechanic: confirmation, expiry, refund and shipping notices go
to the outbox in the same transaction as the change they tell about. Listed last in
`create_app`, so a mail shows what every other mechanic did (copies drawn, bonuses)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storefront.mail.messages import queue_order_mail
from storefront.orders.mechanics import Mechanic
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus


class OrderMails(Mechanic):
    name = "mail"

    def paid(self, session: Session, order: Order, *, now: datetime) -> None:
        if order.email:  # a stand sale's email is optional
            queue_order_mail(session, order, "order_confirmation")

    def released(self, session: Session, order: Order, *, now: datetime) -> None:
        # A fan who canceled knows it; one whose reservation ran out is told.
        if order.status == OrderStatus.EXPIRED and order.email:
            queue_order_mail(session, order, "order_expired")

    def refunded(self, session: Session, order: Order, *, now: datetime) -> None:
        if order.email:
            queue_order_mail(session, order, "order_refunded")

    def shipped(self, session: Session, order: Order, *, now: datetime) -> None:
        # Listed last: sealed copies and inserts revealed at shipping are in the mail.
        queue_order_mail(session, order, "order_shipped")
