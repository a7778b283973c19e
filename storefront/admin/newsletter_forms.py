"""The newsletter's admin form: a mailing's subject, body and who it goes to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from storefront.admin.forms import AdminForm, required_text, strip_text
from storefront.newsletter.admin import MailingFields
from storefront.newsletter.segments import Segment, SegmentKind
from storefront.shop.newsletter_forms import topic_choices

KIND_NAMES = {
    SegmentKind.ALL: _l("Every subscriber"),
    SegmentKind.TOPIC: _l("A topic"),
    SegmentKind.CITY: _l("A city (as subscribers typed it)"),
    SegmentKind.TIER: _l("Members of a tier"),
    SegmentKind.RELEASE: _l("Buyers of a release"),
    SegmentKind.CAMPAIGN: _l("Backers of a campaign"),
    SegmentKind.QUEST_CITY: _l("Passports stamped at a gig in a city"),
}
# The field that holds each kind's value.
VALUE_FIELDS = {
    SegmentKind.TOPIC: "topic",
    SegmentKind.CITY: "city",
    SegmentKind.TIER: "tier",
    SegmentKind.RELEASE: "release",
    SegmentKind.CAMPAIGN: "campaign",
    SegmentKind.QUEST_CITY: "quest_city",
}
BODY_HINT = _l(
    "Plain text. Blank lines between paragraphs; **bold**, *italic*, [a link](https://...) "
    'and lines starting with "- " for a list.'
)


def _optional_id(value: str | int | None) -> int | None:
    if isinstance(value, int):
        return value
    return int(value) if value and value.isdigit() and len(value) < 10 else None


class SegmentForm(AdminForm):
    """Who a mailing or an export is for: a kind of segment and that kind's value."""

    kind = SelectField(
        _l("Send to"),
        choices=[SelectChoice(k.value, name) for k, name in KIND_NAMES.items()],
        default="all",
    )
    topic = SelectField(_l("Topic"), choices=topic_choices, validators=[Optional()])
    city = StringField(_l("City"), filters=[strip_text], validators=[Length(max=80)])
    tier = SelectField(_l("Tier"), coerce=_optional_id, validators=[Optional()])
    release = SelectField(_l("Release"), coerce=_optional_id, validators=[Optional()])
    campaign = SelectField(_l("Campaign"), coerce=_optional_id, validators=[Optional()])
    quest_city = StringField(_l("Gig city"), filters=[strip_text], validators=[Length(max=80)])

    def offer(self, choices: dict[str, list[tuple[int, str]]]) -> SegmentForm:
        """Fill the tier, release and campaign lists (`newsletter.admin.segment_choices`)."""
        for name, options in choices.items():
            self[name].choices = [
                SelectChoice(None, "—"),
                *(SelectChoice(value, label) for value, label in options),
            ]
        return self

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        name = VALUE_FIELDS.get(SegmentKind(self.kind.data))
        if name and self[name].data in (None, ""):
            self[name].errors = [*self[name].errors, _l("Choose who receives it.")]
            return False
        return True

    def segment(self) -> Segment:
        kind = SegmentKind(self.kind.data)
        name = VALUE_FIELDS.get(kind)
        return Segment(kind, "" if name is None else str(self[name].data))


class ExportForm(SegmentForm):
    """The CRM's segment export: a GET form (nothing changes), so no CSRF token."""

    class Meta:
        csrf = False

    submit = SubmitField(_l("Export as CSV"))


class MailingForm(SegmentForm):
    subject = required_text(_l("Subject"), 200)
    body = TextAreaField(
        _l("Message"),
        description=BODY_HINT,
        filters=[strip_text],
        validators=[InputRequired(), Length(max=50_000)],
    )
    submit = SubmitField(_l("Save and preview"))

    def fields(self) -> MailingFields:
        return MailingFields(self.subject.data, self.body.data, self.segment())
