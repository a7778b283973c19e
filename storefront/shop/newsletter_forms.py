"""Forms of the newsletter's fan pages: signing up, preferences, one-click leaving."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from storefront.newsletter.links import SignUp
from storefront.newsletter.models import Source, Topic
from storefront.newsletter.plugins import TOPIC_NAMES
from storefront.shop.forms import stripped

# What the hidden `source` field of each form may say, and the consent source it records.
SOURCES = {"footer": Source.FOOTER, "page": Source.PAGE}
# The footer's form has no topics to tick: the two that need no city.
FOOTER_TOPICS = [Topic.RELEASES.value, Topic.STUDIO.value]


def topic_choices() -> list[SelectChoice]:
    return [SelectChoice(topic.value, name) for topic, name in TOPIC_NAMES.items()]


class TopicsField(SelectMultipleField):
    """The topics, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, choices=topic_choices, **kwargs)


class PreferencesForm(FlaskForm):
    topics = TopicsField(_l("What would you like to hear about?"))
    city = StringField(
        _l("Your city (for gigs near you)"), filters=[stripped], validators=[Length(max=80)]
    )
    submit = SubmitField(_l("Save my choices"))


class SignUpForm(PreferencesForm):
    email = StringField(
        _l("Email"), filters=[stripped], validators=[InputRequired(), Email(), Length(max=254)]
    )
    source = HiddenField(default="page", validators=[Optional()])
    submit = SubmitField(_l("Subscribe"))

    def sign_up(self, locale: str) -> SignUp:
        """What the fan asked for; the footer's form (no topics) asks for FOOTER_TOPICS."""
        source = SOURCES.get(self.source.data or "", Source.PAGE)
        topics = self.topics.data or (FOOTER_TOPICS if source is Source.FOOTER else [])
        email = self.email.data.lower()
        return SignUp(email, list(topics), self.city.data or "", locale, source.value)


class AccountSubscribeForm(FlaskForm):
    submit = SubmitField(_l("Subscribe to the newsletter"))
