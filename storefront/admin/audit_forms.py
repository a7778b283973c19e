"""The audit log's search form (a GET: it changes nothing, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from storefront.admin.fields import IsoDateField
from storefront.admin.forms import strip_text


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who"), filters=[strip_text], validators=[Length(max=254)])
    target = SelectField(_l("Kind of record"), choices=[], default="")
    words = StringField(
        _l("Words"),
        filters=[strip_text],
        validators=[Length(max=200)],
        description=_l("In the record's name, its number, or the values before and after."),
    )
    since = IsoDateField(_l("From"), validators=[Optional()])
    until = IsoDateField(_l("To (included)"), validators=[Optional()])
    submit = SubmitField(_l("Search"))

    def offer(self, targets: list[str]) -> AuditSearchForm:
        self.target.choices = [("", _l("Any")), *((target, target) for target in targets)]
        return self
