"""The cart: lines kept in the fan's signed session cookie, priced against the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.catalog.models import Product, ProductOption
from storefront.ids import parse_id, parse_optional_id
from storefront.orders.shipping import ParcelItem, Zone, shipping_cents

MAX_QUANTITY = 10


@dataclass(frozen=True)
class CartKey:
    product_id: int
    option_id: int | None = None

    def encode(self) -> str:
        return f"{self.product_id}:{self.option_id or 0}"

    @classmethod
    def decode(cls, text: str) -> CartKey:
        """The key `encode` wrote; ValueError for anything else (ids out of range too)."""
        if not isinstance(text, str):
            raise ValueError(f"not a cart key: {text!r}")
        product, _, option = text.partition(":")
        return cls(parse_id(product), parse_optional_id(option))


@dataclass
class Cart:
    """Quantities by product (and option); what the session stores, nothing more."""

    quantities: dict[CartKey, int] = field(default_factory=dict)

    @classmethod
    def from_session(cls, data: object) -> Cart:
        """Rebuild a cart from session data, dropping anything malformed."""
        cart = cls()
        if not isinstance(data, dict):
            return cart
        for key, quantity in data.items():
            try:
                cart.set(CartKey.decode(key), int(quantity))
            except (TypeError, ValueError, OverflowError):  # int(float("inf")) overflows
                continue
        return cart

    def to_session(self) -> dict[str, int]:
        return {key.encode(): quantity for key, quantity in self.quantities.items()}

    def add(self, key: CartKey, quantity: int = 1) -> None:
        self.set(key, self.quantities.get(key, 0) + quantity)

    def set(self, key: CartKey, quantity: int) -> None:
        if quantity <= 0:
            self.quantities.pop(key, None)
        else:
            self.quantities[key] = min(quantity, MAX_QUANTITY)

    @property
    def count(self) -> int:
        return sum(self.quantities.values())

    def __bool__(self) -> bool:
        return bool(self.quantities)


@dataclass(frozen=True)
class PricedLine:
    key: CartKey
    product: Product
    option: ProductOption | None
    quantity: int

    @property
    def product_id(self) -> int:
        return self.key.product_id

    @property
    def option_id(self) -> int | None:
        return self.key.option_id

    @property
    def unit_price_cents(self) -> int:
        return self.product.price_cents

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity

    @property
    def description(self) -> str:
        return self.product.describe(self.option)

    @property
    def units_left(self) -> int | None:
        return self.option.stock if self.option else self.product.stock


@dataclass(frozen=True)
class Discount:
    """A code the fan typed, found valid: a percentage off every line."""

    code_id: int
    code: str
    percent_off: int

    def off(self, cents: int) -> int:
        """What comes off a line costing `cents`: rounded down, so it never passes the %."""
        return cents * self.percent_off // 100


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    zone: Zone | None
    discount: Discount | None = None
    # A sale at the merch stand of this gig (an id of the quests domain): handed over
    # across the table, so nothing to ship and no address to ask.
    stand_gig_id: int | None = None

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    def discount_of(self, line: PricedLine) -> int:
        return self.discount.off(line.total_cents) if self.discount else 0

    @property
    def discount_cents(self) -> int:
        return sum(self.discount_of(line) for line in self.lines)

    @property
    def has_physical(self) -> bool:
        return any(line.product.is_physical for line in self.lines)

    @property
    def shipping_cents(self) -> int:
        if self.stand_gig_id is not None:
            return 0
        items = [ParcelItem(line.product.weight_class, line.quantity) for line in self.lines]
        return shipping_cents(items, self.zone or Zone.FRANCE)

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents + self.shipping_cents

    @property
    def currency(self) -> str:
        return self.lines[0].product.currency if self.lines else "EUR"


def price_cart(
    session: Session,
    cart: Cart,
    zone: Zone | None = None,
    discount: Discount | None = None,
    *,
    stand_gig_id: int | None = None,
) -> PricedCart:
    """Look the cart's products up and price it (less `discount`; at the stand of gig
    `stand_gig_id`, nothing to ship); lines no longer on sale are dropped."""
    ids = {key.product_id for key in cart.quantities}
    # One query: carts hold a few lines, and checkout is the hottest write path.
    products = (
        session.scalars(
            select(Product)
            .where(Product.id.in_(ids), Product.active.is_(True))
            .options(joinedload(Product.release), joinedload(Product.options))
        )
        .unique()
        .all()
    )
    by_id = {product.id: product for product in products}
    lines = []
    for key, quantity in sorted(cart.quantities.items(), key=lambda item: item[0].encode()):
        product = by_id.get(key.product_id)
        option = _find_option(product, key.option_id) if product else None
        if (
            product is None
            or (key.option_id and option is None)
            or (product.has_options and not option)
        ):
            continue
        lines.append(PricedLine(key, product, option, quantity))
    return PricedCart(lines, zone, discount, stand_gig_id)


def _find_option(product: Product, option_id: int | None) -> ProductOption | None:
    return next((option for option in product.options if option.id == option_id), None)
