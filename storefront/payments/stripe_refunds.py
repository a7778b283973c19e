"""The refunds of a Stripe charge, asked from Stripe when an event does not list them."""

from __future__ import annotations

import stripe
from flask_babel import lazy_gettext as _l

from storefront.errors import PaymentError
from storefront.payments.events import InvalidEvent, StripeRefund, refund_list
from storefront.payments.stripe import stripe_client


def charge_refunds(charge_id: str) -> tuple[StripeRefund, ...]:
    """Every refund of the charge `charge_id`, newest first, as Stripe lists them.

    Raises PaymentError when Stripe does not answer, or answers something that is not a
    complete list of refunds: the caller records nothing and Stripe tells again later."""
    try:
        listed = stripe_client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
        # Stripe's answer is outside input too: read through the events' own checks.
        refunds = refund_list(listed.to_dict())
    except (stripe.StripeError, InvalidEvent, AttributeError) as error:
        raise PaymentError(
            _l("Stripe did not list the refunds of charge %(charge)s.", charge=charge_id)
        ) from error
    if refunds is None:
        raise PaymentError(_l("Charge %(charge)s has too many refunds.", charge=charge_id))
    return refunds
