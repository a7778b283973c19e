"""The merch stand's own ways of being paid: cash in the box and the stand's card
terminal. Both are settled on the spot by staff; the shop keeps no card data."""

from flask_babel import lazy_gettext as _l

from storefront.errors import PaymentError
from storefront.orders.models import Order
from storefront.payments.provider import RecordedRefunds, ReturnUrls


class _OnTheSpot(RecordedRefunds):
    """The money goes back across the table (or on the terminal): the refund is recorded."""

    def start_payment(self, order: Order, *, urls: ReturnUrls) -> str:
        raise PaymentError(_l("A stand sale paid in cash or by card is settled at the stand."))


class CashProvider(_OnTheSpot):
    name = "cash"


class TerminalProvider(_OnTheSpot):
    name = "terminal"
