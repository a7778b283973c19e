"""The fulfilment forms: a parcel of some units, the "to ship" list, a campaign's batch,
the CSV import of tracking numbers, and a return. Forms with a field per line or per
order are built for the rows they show (as the stand's count is)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from storefront.admin.forms import strip_text
from storefront.admin.order_forms import AmountField, ShipForm, carrier_choices
from storefront.fulfilment.returns import OUTCOME_LABELS, REASON_LABELS
from storefront.orders.models import Order, OrderLine

MAX_UNITS = 10_000
MAX_CSV_CHARS = 200_000  # under the app-wide body limit (256 KiB), for the confirm form too


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in labels.items()]


def _submission() -> HiddenField:
    # One id per form shown: sent twice (a double click, a retried POST), it names the
    # same return, never a second one.
    return HiddenField(
        default=lambda: secrets.token_urlsafe(16),
        validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")],
    )


def _units_field(label: str, default: int) -> IntegerField:
    return IntegerField(
        label, default=default, validators=[InputRequired(), NumberRange(0, MAX_UNITS)]
    )


def _line_fields(lines: Iterable[tuple[OrderLine, int]], default_all: bool) -> dict:
    return {
        f"line-{line.id}": _units_field(line.description, units if default_all else 0)
        for line, units in lines
    }


def _line_quantities(form: FlaskForm) -> dict[int, int]:
    return {
        int(name.removeprefix("line-")): field.data
        for name, field in form._fields.items()
        if name.startswith("line-")
    }


class ParcelForm(ShipForm):
    """Ship some units of some lines now (a field per line: units in this parcel)."""

    submit = SubmitField(_l("Post this parcel and tell the fan"))

    @classmethod
    def for_lines(cls, lines: list[tuple[OrderLine, int]], *args, **kwargs) -> ParcelForm:
        form_class = type("ParcelLinesForm", (cls,), _line_fields(lines, default_all=True))
        return form_class(*args, **kwargs)

    def quantities(self) -> dict[int, int]:
        return _line_quantities(self)


class ToShipForm(FlaskForm):
    """The waiting orders, each with a tracking number; one carrier for all. The ticks
    are plain `order` checkboxes, so the same ticks also print and export (a GET)."""

    carrier = SelectField(_l("Carrier"), choices=carrier_choices, validators=[InputRequired()])
    submit = SubmitField(_l("Ship the ticked orders and tell the fans"))

    @classmethod
    def for_orders(cls, orders: list[Order], *args, **kwargs) -> ToShipForm:
        fields = {
            f"tracking-{order.id}": StringField(
                _l("Tracking number for %(reference)s", reference=order.reference),
                filters=[strip_text],
                validators=[Length(max=80)],
            )
            for order in orders
        }
        form_class = type("ToShipOrdersForm", (cls,), fields)
        return form_class(*args, **kwargs)

    def tracking(self, order: Order) -> StringField:
        return self._fields[f"tracking-{order.id}"]

    def rows(self, orders: Iterable[Order], ticked: set[int] | None) -> list[tuple[str, str]]:
        """(reference, tracking number as typed) of the ticked orders (None: all of them,
        a campaign's batch)."""
        return [
            (order.reference, self.tracking(order).data or "")
            for order in orders
            if ticked is None or order.id in ticked
        ]


class BatchForm(ToShipForm):
    """A campaign's batch: every order shown ships, and `shown` says which they were, so
    a preorder paid since the page was shown is not shipped unseen."""

    shown = HiddenField(validators=[Length(max=20_000)])
    submit = SubmitField(_l("Ship this batch and tell the fans"))

    @classmethod
    def for_batch(cls, orders: list[Order], *args, **kwargs) -> BatchForm:
        shown = ",".join(order.reference for order in orders)
        return cls.for_orders(orders, *args, shown=shown, **kwargs)

    def shown_orders(self, orders: Iterable[Order]) -> list[Order]:
        references = set((self.shown.data or "").split(","))
        return [order for order in orders if order.reference in references]


class TrackingImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose the CSV file to import."))],
        description=_l("Columns: reference, carrier, tracking_number (a header line first)."),
    )
    submit = SubmitField(_l("Check the file"))


class TrackingConfirmForm(FlaskForm):
    """The file checked, sent back to ship its orders (checked again first)."""

    content = HiddenField(validators=[InputRequired(), Length(max=MAX_CSV_CHARS)])
    submit = SubmitField(_l("Ship these orders and tell the fans"))


class ReturnForm(FlaskForm):
    """Units that came back (a field per line), why, what becomes of them, the refund."""

    reason = SelectField(
        _l("Reason"), choices=lambda: _choices(REASON_LABELS), validators=[InputRequired()]
    )
    outcome = SelectField(
        _l("What becomes of them"),
        choices=lambda: _choices(OUTCOME_LABELS),
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Note"), filters=[strip_text], validators=[Optional(), Length(max=500)])
    amount = AmountField(
        _l("Amount to refund"),
        description=_l("Left empty: what those units cost, up to what is left to refund."),
    )
    submission = _submission()
    submit = SubmitField(_l("Record the return"))

    @classmethod
    def for_lines(cls, lines: list[tuple[OrderLine, int]], *args, **kwargs) -> ReturnForm:
        form_class = type("ReturnLinesForm", (cls,), _line_fields(lines, default_all=False))
        return form_class(*args, **kwargs)

    def quantities(self) -> dict[int, int]:
        return _line_quantities(self)
