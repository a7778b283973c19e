"""Order mails: rendered in the order's language and written to the outbox."""

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.mail.outbox import enqueue

SUBJECTS = {
    "order_confirmation": lambda: _("Your order %(reference)s is confirmed"),
    "order_expired": lambda: _("Your reservation %(reference)s has expired"),
    "order_refunded": lambda: _("Your order %(reference)s has been refunded"),
}


def queue_order_mail(session: Session, order, kind: str) -> None:
    """Write the `kind` mail for `order` to the outbox, in the fan's language."""
    with force_locale(order.locale):
        subject = SUBJECTS[kind]() % {"reference": order.reference}
        body = render_template(
            f"mail/{kind}.txt", order=order, public_url=current_app.config["PUBLIC_URL"]
        )
    enqueue(session, recipient=order.email, subject=subject, body=body, kind=kind)
