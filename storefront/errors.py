"""Domain errors: services raise them, views turn their message into a page or JSON."""

from flask_babel import lazy_gettext as _l


class StorefrontError(Exception):
    """A rule of the shop said no; `message` is safe to show to the person."""

    code = "error"
    status = 400

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message())
        super().__init__(self.message)

    def default_message(self) -> str:
        return str(_l("Something went wrong."))


class SoldOut(StorefrontError):
    code = "sold_out"
    status = 409

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(str(_l("Sorry, %(name)s is sold out.", name=name)))


class NotEnoughStock(StorefrontError):
    code = "not_enough_stock"
    status = 409

    def __init__(
        self, name: str, left: int, *, product_id: int | None = None, option_id: int | None = None
    ) -> None:
        # Which product (and size) lets a page say whether checkouts hold the units.
        self.name, self.left = name, left
        self.product_id, self.option_id = product_id, option_id
        super().__init__(
            str(_l("Only %(left)d left of %(name)s.", left=left, name=name))
            if left
            else str(_l("Sorry, %(name)s is sold out.", name=name))
        )


class EmptyCart(StorefrontError):
    code = "empty_cart"

    def default_message(self) -> str:
        return str(_l("Your cart is empty."))


class InvalidTransition(StorefrontError):
    code = "invalid_transition"
    status = 409


class DownloadUnavailable(StorefrontError):
    code = "download_unavailable"
    status = 410


class PaymentError(StorefrontError):
    code = "payment_error"
    status = 502


class LinkRefused(StorefrontError):
    """A signed link the shop did not issue: forged, damaged, or naming nothing."""

    code = "link_refused"
    status = 404

    def default_message(self) -> str:
        return str(_l("This link is not valid."))


class LinkExpired(LinkRefused):
    code = "link_expired"
    status = 410
