"""Order mails: rendered in the order's language from the order's one view, written to
the outbox and to the order's history."""

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.clock import utcnow
from storefront.database import transactional
from storefront.errors import InvalidTransition
from storefront.links import public_urls
from storefront.mail.outbox import enqueue
from storefront.orders.actions import may_resend_confirmation
from storefront.orders.history import SHOP, EventKind, record_event
from storefront.orders.view import order_view

SUBJECTS = {
    "order_confirmation": lambda: _("Your order %(reference)s is confirmed"),
    "order_expired": lambda: _("Your reservation %(reference)s has expired"),
    "order_refunded": lambda: _("Your order %(reference)s has been refunded"),
    "order_shipped": lambda: _("Your order %(reference)s is on its way"),
    "goal_unlocked": lambda: _("Unlocked for backers: %(reward)s"),
    "pressing_confirmed": lambda: _("Pressing confirmed: %(release)s"),
}


def queue_order_mail(session: Session, order, kind: str, *, actor: str = SHOP, **context) -> None:
    """Write the `kind` mail for `order` to the outbox, in the fan's language, and note
    in the order's history that `actor` sent it.

    `context` goes to the template and to the subject (`reward`, `release`...). Links
    are made for PUBLIC_URL, whatever request (or none: a cron job) sends the mail."""
    public_url = current_app.config["PUBLIC_URL"].rstrip("/")
    with public_urls(), force_locale(order.locale):
        subject = SUBJECTS[kind]() % {"reference": order.reference, **context}
        body = render_template(
            f"mail/{kind}.txt",
            order=order,
            view=order_view(session, order, now=utcnow()),
            public_url=public_url,
            **context,
        )
    enqueue(session, recipient=order.email, subject=subject, body=body, kind=kind)
    record_event(session, order, actor=actor, kind=EventKind.MAIL, detail=f"{kind}: {subject}")


@transactional
def resend_confirmation(session: Session, order, *, actor: str) -> None:
    """Send the confirmation of a paid (or shipped) order again: the fan lost it."""
    if not may_resend_confirmation(order):
        raise InvalidTransition(
            _(
                "Order %(reference)s is not paid: there is no confirmation to send.",
                reference=order.reference,
            )
        )
    queue_order_mail(session, order, "order_confirmation", actor=actor)
