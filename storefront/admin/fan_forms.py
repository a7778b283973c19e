"""The fan CRM's form: the label's private note about a fan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from storefront.admin.forms import AdminForm
from storefront.crm.profiles import NOTE_MAX


class NoteForm(AdminForm):
    key = HiddenField(validators=[InputRequired(), Length(max=254)])
    note = TextAreaField(
        _l("Private note"),
        validators=[Length(max=NOTE_MAX)],
        description=_l("Only the label sees it. Keep it short and factual."),
    )
