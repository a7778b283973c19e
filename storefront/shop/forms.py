"""Forms of the fan pages (Flask-WTF: CSRF on every one)."""

import functools
import re
import secrets

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from storefront.ids import parse_id, parse_optional_id
from storefront.orders.cart import MAX_QUANTITY
from storefront.orders.shipping import COUNTRIES


def country_choices() -> list[tuple[str, str]]:
    return _country_choices(str(get_locale()))


@functools.cache
def _country_choices(locale: str) -> list[tuple[str, str]]:
    territories = Locale.parse(locale).territories
    return [(code, territories.get(code, code)) for code in COUNTRIES]


class IdField(HiddenField):
    """A hidden database id; anything but an id the database can hold is a field error."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_id(valuelist[0])
        except ValueError:
            raise ValueError(str(_l("Not a valid choice."))) from None


class AddToCartForm(FlaskForm):
    product_id = IdField(validators=[InputRequired()])
    option_id = SelectField(_l("Size"), coerce=parse_optional_id, validate_choice=False, default=0)
    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[InputRequired(), NumberRange(1, MAX_QUANTITY)]
    )
    submit = SubmitField(_l("Add to cart"))


class CartLineForm(FlaskForm):
    key = HiddenField(validators=[InputRequired()])
    quantity = IntegerField(
        _l("Quantity"), validators=[InputRequired(), NumberRange(0, MAX_QUANTITY)]
    )
    update = SubmitField(_l("Update"))
    remove = SubmitField(_l("Remove"))


SEED_RULE = _l("Letters, digits, - and _ only, at most 64 characters (or leave it empty).")


def stripped(value: str | None) -> str | None:
    """A WTForms filter: surrounding spaces never count."""
    return value.strip() if isinstance(value, str) else value


class DiscountCodeForm(FlaskForm):
    """The cart's code field: a badge's code (any case, dash or not)."""

    code = StringField(
        _l("Discount code"), filters=[stripped], validators=[InputRequired(), Length(max=40)]
    )
    apply = SubmitField(_l("Apply"))
    remove = SubmitField(_l("Remove the code"))


class PassportSaveForm(FlaskForm):
    email = StringField(
        _l("Email"), filters=[stripped], validators=[InputRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Save my passport"))


class CheckoutForm(FlaskForm):
    email = StringField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    line1 = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    line2 = StringField(_l("Address (line 2)"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), default="FR")
    # Only when the cart holds a limited edition (the field is removed otherwise).
    client_seed = StringField(
        _l("Your seed for the limited-edition draw"),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=64, message=SEED_RULE),
            Regexp(r"^[A-Za-z0-9_-]+\Z", message=SEED_RULE),
        ],
        render_kw={"spellcheck": "false", "autocapitalize": "off", "data-seed": ""},
    )
    # Names this showing of the form: the same submission sent again (a retry after a
    # crash, a double tap) gets the order the first one opened, not a second one.
    submission = HiddenField(default=lambda: secrets.token_urlsafe(16))
    submit = SubmitField(_l("Continue to payment"))

    ADDRESS_FIELDS = ("name", "line1", "postal_code", "city")
    SUBMISSION = re.compile(r"[A-Za-z0-9_-]{16,64}")

    def __init__(
        self, *args, needs_address: bool = True, editions: list | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.needs_address = needs_address
        self.editions = editions or []
        if not self.editions:
            del self.client_seed
        self.country.choices = country_choices()

    def start_afresh(self) -> None:
        """Shown again after a refusal: the next submission is a new one."""
        self.submission.data = secrets.token_urlsafe(16)

    @property
    def seed(self) -> str | None:
        """The fan's seed for the draw, or None: the server then makes one (and says so)."""
        return (self.client_seed.data or None) if self.editions else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.needs_address:
            return valid
        for name in self.ADDRESS_FIELDS:
            field = self[name]
            if not (field.data or "").strip():
                field.errors = [*field.errors, _l("Needed to send your parcel.")]
                valid = False
        return valid


class ShippingZoneForm(FlaskForm):
    """The cart's 'ship to' selector: a GET form, it changes nothing on the server."""

    class Meta:
        csrf = False

    country = SelectField(_l("Ship to"), default="FR")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class TestPaymentForm(FlaskForm):
    pay = SubmitField(_l("Pay (test)"))
    fail = SubmitField(_l("Fail (test)"))
    cancel = SubmitField(_l("Cancel"))


class CancelOrderForm(FlaskForm):
    """The order page's way out of a payment the fan does not want to finish."""

    submit = SubmitField(_l("Cancel this order and put the items back in my cart"))


class ConfirmForm(FlaskForm):
    """A button that only needs CSRF protection (re-issue links...)."""

    submit = SubmitField()
