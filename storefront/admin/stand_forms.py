"""The stand's forms (a phone held in one hand) and the admin's allocation and count."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from storefront.admin.forms import AdminForm, strip_text
from storefront.catalog.models import Product
from storefront.stand.models import StandStock
from storefront.stand.sales import CLIENT_ID, PaymentMethod, SaleLine, StandSale

ITEM_KEY = r"^\d{1,9}:\d{1,9}$"


def parse_key(key: str) -> tuple[int, int | None]:
    """A grid tile's "product:option" key (option 0: none); ValueError otherwise."""
    product, _, option = key.partition(":")
    return int(product), int(option) or None


class StandItemForm(FlaskForm):
    """One tap on a tile: one more of it in the sale (or one less)."""

    key = HiddenField(validators=[InputRequired(), Regexp(ITEM_KEY)])
    add = SubmitField(_l("Add"))
    remove = SubmitField(_l("One less"))


class SellForm(FlaskForm):
    """Take the payment for the sale on the screen."""

    client_id = HiddenField(validators=[InputRequired(), Regexp(CLIENT_ID.pattern)])
    email = StringField(
        _l("Fan's email (optional: their receipt and downloads)"),
        filters=[strip_text],
        validators=[Optional(), Email(), Length(max=254)],
    )
    cash = SubmitField(_l("Cash"))
    terminal = SubmitField(_l("Card terminal"))
    phone = SubmitField(_l("Fan pays on their phone"))

    @classmethod
    def fresh(cls) -> SellForm:
        """The form for a new sale: a new id, so sending it twice records one sale."""
        return cls(formdata=None, client_id=secrets.token_urlsafe(12))

    @property
    def method(self) -> PaymentMethod:
        if self.cash.data:
            return PaymentMethod.CASH
        return PaymentMethod.TERMINAL if self.terminal.data else PaymentMethod.PHONE

    def to_sale(self, quantities: dict[str, int]) -> StandSale:
        lines = tuple(
            SaleLine(*parse_key(key), quantity=count) for key, count in quantities.items()
        )
        return StandSale(self.client_id.data, lines, self.method, self.email.data or "")


class AllocationForm(AdminForm):
    item = SelectField(_l("Product"), validate_choice=True)
    units = IntegerField(
        _l("Units taken to the stand"), validators=[InputRequired(), NumberRange(1, 10_000)]
    )
    submit = SubmitField(_l("Allocate"))

    def __init__(self, products: list[Product], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item.choices = [
            SelectChoice(f"{product.id}:{option.id if option else 0}", _item_label(product, option))
            for product in products
            if product.is_physical
            for option in (product.options or [None])
        ]

    @property
    def product_and_option(self) -> tuple[int, int | None]:
        return parse_key(self.item.data)


def _item_label(product: Product, option) -> str:
    stock = option.stock if option else product.stock
    return f"{product.describe(option)} · {stock}"


class ReconcileForm(AdminForm):
    """The count after the night: how many of each item came back."""

    submit = SubmitField(_l("Return the count to the main stock"))

    @classmethod
    def for_rows(cls, rows: list[StandStock], *args, **kwargs) -> ReconcileForm:
        fields = {
            f"row-{row.id}": IntegerField(
                row.label,
                default=row.left,
                validators=[InputRequired(), NumberRange(0, 1_000_000)],
            )
            for row in rows
        }
        form_class = type("CountForm", (cls,), fields)
        return form_class(*args, **kwargs)

    def counts(self) -> dict[int, int]:
        return {
            int(name.removeprefix("row-")): field.data
            for name, field in self._fields.items()
            if name.startswith("row-")
        }
