"""The forms of an order's admin page: ship, refund, and the buttons that need no fields."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from storefront.admin.fields import PriceField
from storefront.admin.forms import strip_text
from storefront.orders.carriers import CARRIERS, OTHER, clean_tracking_number


def carrier_choices() -> list[tuple[str, str]]:
    return [(code, c.name or str(_l("Another carrier"))) for code, c in CARRIERS.items()]


class ShipForm(FlaskForm):
    carrier = SelectField(_l("Carrier"), choices=carrier_choices, validators=[InputRequired()])
    tracking_number = StringField(
        _l("Tracking number"),
        filters=[strip_text],
        validators=[Length(max=80)],
        description=_l("As printed on the label; spaces do not matter."),
    )
    submit = SubmitField(_l("Mark shipped and tell the fan"))

    def validate_tracking_number(self, field: StringField) -> None:
        # Another carrier (a hand delivery, a courier) may have no number; the others do.
        if not field.data:
            if self.carrier.data != OTHER:
                raise ValidationError(_l("Write the tracking number."))
            field.data = None
            return
        try:
            field.data = clean_tracking_number(field.data)
        except ValueError:
            raise ValidationError(_l("A tracking number is 4 to 40 letters and digits.")) from None


class AmountField(PriceField):
    """An amount of money as typed ("12,50" or "12.50"); `data` is integer cents."""

    message = _l("Write the amount in euros, like 12,50 or 12.50.")


class RefundForm(FlaskForm):
    amount = AmountField(_l("Amount"), validators=[InputRequired()])
    # DataRequired, not InputRequired: a reason of spaces is no reason.
    reason = StringField(
        _l("Reason"), filters=[strip_text], validators=[DataRequired(), Length(max=200)]
    )
    # One id per form shown: sent twice (a double click, a retried POST), it names the
    # same refund at the provider, never a second one.
    submission = HiddenField(
        default=lambda: secrets.token_urlsafe(16),
        validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")],
    )
    submit = SubmitField(_l("Refund"))


class ActionForm(FlaskForm):
    """A button that needs nothing but the CSRF token (cancel, resend the confirmation)."""
