"""Admin forms for preorder campaigns: the campaign itself, its goals and its bonuses.

Dates and times are typed in the label's time zone (BABEL_DEFAULT_TIMEZONE, Paris) and
handed to the services as aware datetimes; the database keeps them in UTC.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from storefront.admin.fields import IsoDateField
from storefront.admin.forms import AdminForm, required_text, strip_text
from storefront.admin.uploads import REWARD, Upload
from storefront.catalog.models import Release
from storefront.extensions import db
from storefront.members.early import early_tiers, tier_choices
from storefront.preorders.admin_services import BonusFields, CampaignFields, GoalFields
from storefront.preorders.models import Bonus, Campaign, Goal, GoalKind, RewardKind

GOAL_KIND_LABELS = {
    GoalKind.PRESSING: _l("Pressing goal (all or nothing)"),
    GoalKind.UNLOCK: _l("Unlock (a reward for every backer)"),
}
REWARD_KIND_LABELS = {
    RewardKind.NONE: _l("No reward"),
    RewardKind.LIVE_SESSION: _l("Live session"),
    RewardKind.BONUS_TRACK: _l("Bonus track"),
    RewardKind.EARLY_DOWNLOAD: _l("Early download"),
}
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_UNITS = 10_000_000  # far above any pressing, far below the database's integer limit


def label_zone() -> tzinfo:
    """The label's time zone, in which admins type dates and times."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


class LocalDateTimeField(DateTimeLocalField):
    """A date and time in the label's time zone; `data` is an aware datetime."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        formats = [_LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        super().__init__(label, validators, format=formats, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = _l("Write the date and time as YYYY-MM-DD HH:MM, like 2025-03-14 18:00.")
            raise ValueError(str(message)) from None
        self.data = self.data.replace(tzinfo=label_zone())

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if not isinstance(self.data, datetime):
            return ""
        return self.data.astimezone(label_zone()).strftime(_LOCAL_FORMAT)


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in labels.items()]


class CampaignForm(AdminForm):
    opens_at = LocalDateTimeField(_l("Opens at"), validators=[InputRequired()])
    closes_at = LocalDateTimeField(_l("Closes at"), validators=[InputRequired()])
    ships_on = IsoDateField(
        _l("Ships on"),
        description=_l("The promised date, shown to fans: after the close."),
        validators=[InputRequired()],
    )
    product_ids = CheckboxesField(_l("Products covered"), coerce=int)
    per_fan_limit = IntegerField(
        _l("Limit per fan (units)"),
        description=_l("Empty for no limit."),
        validators=[Optional(), NumberRange(max=MAX_UNITS)],
    )
    run_margin_percent = IntegerField(
        _l("Run margin (%)"),
        description=_l("Added to the paid preorders to suggest how many copies to press."),
        default=10,
        validators=[InputRequired(), NumberRange(max=1_000)],
    )
    early_tier_ids = CheckboxesField(
        _l("Early access for members of"),
        description=_l(
            "Members of these tiers may preorder before the opening, as many hours early "
            "as their tier gives."
        ),
        coerce=int,
    )
    submit = SubmitField(_l("Save the campaign"))

    @classmethod
    def for_release(cls, release: Release, **kwargs) -> CampaignForm:
        form = cls(**kwargs)
        form.product_ids.choices = [(product.id, product.name) for product in release.products]
        form.early_tier_ids.choices = tier_choices(db.session)
        return form

    @classmethod
    def for_campaign(cls, campaign: Campaign, **kwargs) -> CampaignForm:
        ids = [product.id for product in campaign.products]
        tiers = [tier.id for tier in early_tiers(db.session, campaign.id)]
        return cls.for_release(
            campaign.release, obj=campaign, product_ids=ids, early_tier_ids=tiers, **kwargs
        )

    def to_fields(self) -> CampaignFields:
        return CampaignFields(
            opens_at=self.opens_at.data,
            closes_at=self.closes_at.data,
            ships_on=self.ships_on.data,
            product_ids=tuple(self.product_ids.data or ()),
            per_fan_limit=self.per_fan_limit.data,
            run_margin_percent=self.run_margin_percent.data,
        )


class GoalForm(AdminForm):
    kind = SelectField(_l("Kind"), choices=_choices(GOAL_KIND_LABELS), default=GoalKind.UNLOCK)
    threshold = IntegerField(
        _l("Threshold (paid units)"),
        description=_l("Reached when this many units are paid for (reservations do not count)."),
        validators=[InputRequired(), NumberRange(max=MAX_UNITS)],
    )
    reward_title = required_text(_l("Title"), 200)
    reward_kind = SelectField(_l("Reward"), choices=_choices(REWARD_KIND_LABELS))
    reward_description = TextAreaField(
        _l("What backers get"), validators=[Optional(), Length(max=5_000)]
    )
    media_file = FileField(
        _l("Reward file"),
        description=_l("Video (MP4, WebM) or audio (MP3, OGG, WAV, FLAC). Never public."),
        validators=[Upload(REWARD)],
    )
    embed_url = StringField(
        _l("…or an embed link"),
        description=_l("An https:// address, like https://player.vimeo.com/video/123."),
        filters=[strip_text],
        validators=[Optional(), Length(max=500)],
    )
    reward_date = LocalDateTimeField(
        _l("Reward date"), description=_l("When the live session airs, if it has a date.")
    )
    submit = SubmitField(_l("Save the goal"))

    def __init__(self, *args, **kwargs) -> None:
        # Prefixed: the add form shares the campaign page with the campaign form.
        kwargs.setdefault("prefix", "goal")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_goal(cls, goal: Goal) -> GoalForm:
        return cls(obj=goal, embed_url=goal.reward_embed_url)

    def files(self) -> dict:
        """The upload the goal services take."""
        return {"reward_file": (self.media_file, REWARD)}

    def to_fields(self) -> GoalFields:
        return GoalFields(
            kind=self.kind.data,
            threshold=self.threshold.data,
            reward_title=self.reward_title.data,
            reward_kind=self.reward_kind.data,
            reward_description=self.reward_description.data or "",
            embed_url=self.embed_url.data or None,
            reward_date=self.reward_date.data,
        )


class BonusForm(AdminForm):
    title = required_text(_l("Title"), 120)
    size = IntegerField(
        _l("For the first (paid preorders)"),
        description=_l("Numbered 1 to this number, by payment time."),
        validators=[InputRequired(), NumberRange(max=MAX_UNITS)],
    )
    submit = SubmitField(_l("Save the bonus"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "bonus")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_bonus(cls, bonus: Bonus) -> BonusForm:
        return cls(obj=bonus)

    def to_fields(self) -> BonusFields:
        return BonusFields(title=self.title.data, size=self.size.data)
