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
    # Hours this buyer may preorder it before its campaign opens to everyone: a member's
    # early access, decided by the members domain and carried here like the stand's gig.
    early_hours: int = 0

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

    @property
    def label(self) -> str:
        return f"{self.code} (-{self.percent_off} %)"


@dataclass(frozen=True)
class MemberDiscount:
    """A member's tier benefit (decided by the members domain): a percentage off every
    physical line (formats and merch, not downloads), never at the stand."""

    tier_name: str
    percent_off: int

    def off(self, line: PricedLine) -> int:
        if not line.product.is_physical:
            return 0
        return line.total_cents * self.percent_off // 100

    @property
    def label(self) -> str:
        return f"{self.tier_name} (-{self.percent_off} %)"


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    zone: Zone | None
    discount: Discount | None = None
    # A sale at the merch stand of this gig (an id of the quests domain): handed over
    # across the table, so nothing to ship and no address to ask.
    stand_gig_id: int | None = None
    member_discount: MemberDiscount | None = None
    # Discounts meeting on one line never take it below this share of its public price.
    floor_percent: int = 0

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    def discounts_of(self, line: PricedLine) -> tuple[int, int]:
        """What the code and the membership take off `line`. The code keeps its full
        promise; the member discount adds what the floor leaves of the public price."""
        code = self.discount.off(line.total_cents) if self.discount else 0
        member = self.member_discount.off(line) if self._member_applies else 0
        most = line.total_cents * (100 - self.floor_percent) // 100
        return code, max(0, min(member, most - code))

    @property
    def _member_applies(self) -> bool:
        return self.member_discount is not None and self.stand_gig_id is None

    def discount_of(self, line: PricedLine) -> int:
        return sum(self.discounts_of(line))

    @property
    def code_discount_cents(self) -> int:
        return sum(self.discounts_of(line)[0] for line in self.lines)

    @property
    def member_discount_cents(self) -> int:
        return sum(self.discounts_of(line)[1] for line in self.lines)

    @property
    def discount_cents(self) -> int:
        return sum(self.discount_of(line) for line in self.lines)

    @property
    def discount_label(self) -> str | None:
        """How the order keeps its discounts: "K7QD-M2XH (-10 %) + Gold (-5 %)"."""
        parts = [self.discount.label] if self.discount else []
        if self.member_discount_cents:
            parts.append(self.member_discount.label)
        return " + ".join(parts)[:40] or None

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


@dataclass(frozen=True)
class MemberPricing:
    """What the buyer's membership changes in the cart (from the members domain), and
    the label's floor under stacked discounts."""

    discount: MemberDiscount | None = None
    early_hours: dict[int, int] = field(default_factory=dict)  # by product id
    floor_percent: int = 0


def price_cart(
    session: Session,
    cart: Cart,
    zone: Zone | None = None,
    discount: Discount | None = None,
    *,
    stand_gig_id: int | None = None,
    member: MemberPricing | None = None,
) -> PricedCart:
    """Look the cart's products up and price it (less `discount`, and what `member`
    gives; at the stand of gig `stand_gig_id`, nothing to ship); lines no longer on
    sale are dropped."""
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
        early = member.early_hours.get(key.product_id, 0) if member else 0
        lines.append(PricedLine(key, product, option, quantity, early))
    if member is None:
        return PricedCart(lines, zone, discount, stand_gig_id)
    return PricedCart(lines, zone, discount, stand_gig_id, member.discount, member.floor_percent)


def _find_option(product: Product, option_id: int | None) -> ProductOption | None:
    return next((option for option in product.options if option.id == option_id), None)
