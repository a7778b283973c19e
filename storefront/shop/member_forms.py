"""Fans' membership forms: joining a tier, the manage button, the TEST billing page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from storefront.members.models import Interval
from storefront.members.simulation import LABELS, TestAction
from storefront.shop.forms import stripped


class JoinForm(FlaskForm):
    interval = RadioField(
        _l("Pay"),
        choices=[
            SelectChoice(Interval.MONTH.value, _l("monthly")),
            SelectChoice(Interval.YEAR.value, _l("yearly")),
        ],
        default=Interval.MONTH.value,
        validators=[InputRequired()],
    )
    liner_name = StringField(
        _l("Name for the liner notes (optional)"),
        filters=[stripped],
        validators=[Length(max=120)],
    )
    submit = SubmitField(_l("Join"))


class ManageForm(FlaskForm):
    submit = SubmitField(_l("Manage or cancel"))


class TestBillingForm(FlaskForm):
    """One button per simulated event; `action` says which was pressed."""

    __test__ = False  # not a pytest class, whatever its name

    action = RadioField(choices=[SelectChoice(a.value, LABELS[a]) for a in TestAction])
