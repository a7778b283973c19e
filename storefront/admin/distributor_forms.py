"""Forms of the distributors' pages: who they are, allocations, returns, sales entered
by hand and statements imported as CSV."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from storefront.admin.fields import IsoDateField, PriceField
from storefront.admin.forms import MAX_STOCK, AdminForm, required_text, strip_text
from storefront.admin.stand_forms import parse_key
from storefront.catalog.models import Product
from storefront.channels.models import DistributorStock, PartnerKind
from storefront.channels.services import DistributorFields

KINDS = [
    SelectChoice(PartnerKind.DISTRIBUTOR.value, _l("Distributor")),
    SelectChoice(PartnerKind.CONSIGNMENT.value, _l("Consignment shop")),
]
STATEMENT_MAX_BYTES = 1024 * 1024


class DistributorForm(AdminForm):
    name = required_text(_l("Name"), 120)
    kind = SelectField(_l("Kind"), choices=KINDS, validate_choice=True)
    email = StringField(
        _l("Email"), filters=[strip_text], validators=[Optional(), Email(), Length(max=254)]
    )
    country = StringField(
        _l("Country (two letters: FR, BE, CH...)"),
        filters=[strip_text],
        validators=[InputRequired(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, like FR."))],
        default="FR",
    )
    commission = IntegerField(
        _l("Commission (%)"),
        description=_l("The share of the shop's price they keep on each sale."),
        validators=[InputRequired(), NumberRange(0, 100)],
        default=0,
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save the distributor"))

    def to_fields(self) -> DistributorFields:
        return DistributorFields(
            name=self.name.data,
            kind=self.kind.data,
            email=self.email.data or "",
            country=self.country.data.upper(),
            commission_percent=self.commission.data,
            active=self.active.data,
        )


class AllocateForm(AdminForm):
    item = SelectField(_l("Product"), validate_choice=True)
    units = IntegerField(_l("Units given"), validators=[InputRequired(), NumberRange(1, MAX_STOCK)])
    submit = SubmitField(_l("Allocate from the main stock"))

    def __init__(self, products: list[Product], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item.choices = [
            SelectChoice(
                f"{product.id}:{option.id if option else 0}",
                f"{product.describe(option)} · {option.stock if option else product.stock}",
            )
            for product in products
            if product.is_physical
            for option in (product.options or [None])
        ]

    @property
    def product_and_option(self) -> tuple[int, int | None]:
        return parse_key(self.item.data)


class HeldForm(AdminForm):
    """A form about one item they hold."""

    row = SelectField(_l("Item"), validate_choice=True, coerce=int)
    prefix = ""  # its fields' names, unique on the distributor's page

    def __init__(self, rows: list[DistributorStock], *args, **kwargs) -> None:
        super().__init__(*args, prefix=self.prefix, **kwargs)
        self.row.choices = [
            SelectChoice(row.id, f"{row.label} · {row.left}") for row in rows if row.left > 0
        ]


class ReturnForm(HeldForm):
    prefix = "return-"
    units = IntegerField(
        _l("Units sent back"), validators=[InputRequired(), NumberRange(1, MAX_STOCK)]
    )
    submit = SubmitField(_l("Back in the main stock"))


class SaleForm(HeldForm):
    prefix = "sale-"
    quantity = IntegerField(
        _l("Units sold"), validators=[InputRequired(), NumberRange(1, MAX_STOCK)]
    )
    unit_price = PriceField(
        _l("Unit price paid to the label"),
        description=_l("Empty: the shop's price minus their commission."),
        validators=[Optional()],
    )
    sold_on = IsoDateField(_l("Sold on"), validators=[InputRequired()], default=date.today)
    submit = SubmitField(_l("Record the sale"))


class StatementForm(AdminForm):
    statement = FileField(
        _l("Their statement (CSV)"),
        description=_l(
            "Columns: product_id, size, quantity, unit_price, date (YYYY-MM-DD). "
            "Nothing is imported unless every row is right."
        ),
        validators=[FileRequired(_l("Choose the CSV file to import."))],
    )
    submit = SubmitField(_l("Import the statement"))
