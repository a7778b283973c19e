"""The forms of a gig's quest and of the badges."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from storefront.admin.forms import AdminForm, required_text
from storefront.admin.uploads import FRAGMENT_AUDIO, FRAGMENT_IMAGE, REWARD, Upload
from storefront.quests.models import BadgeReward, FragmentKind, Quest
from storefront.quests.quest_admin import MAX_MARGIN_MINUTES, BadgeFields, QuestFields

FRAGMENT_KINDS = [
    SelectChoice(FragmentKind.AUDIO.value, _l("Audio")),
    SelectChoice(FragmentKind.IMAGE.value, _l("Image")),
    SelectChoice(FragmentKind.TEXT.value, _l("Text")),
]


class FragmentUpload:
    """The fragment's file, checked as audio or as an image as the kind field says."""

    def __call__(self, form, field) -> None:
        kind = FRAGMENT_IMAGE if form.fragment_kind.data == FragmentKind.IMAGE else FRAGMENT_AUDIO
        field.upload_kind = kind
        Upload(kind)(form, field)


def _margin(label, description) -> IntegerField:
    return IntegerField(
        label,
        description=description,
        validators=[InputRequired(), NumberRange(0, MAX_MARGIN_MINUTES)],
    )


class QuestForm(AdminForm):
    fragment_title = required_text(_l("Fragment title"), 120)
    fragment_kind = SelectField(_l("Fragment"), choices=FRAGMENT_KINDS, default="audio")
    fragment_file = FileField(
        _l("Fragment file"),
        description=_l(
            "Audio (MP3, OGG, WAV, FLAC) or an image (JPEG, PNG, WebP). Never public: only "
            "fans with tonight's stamp get a link."
        ),
        validators=[FragmentUpload()],
    )
    fragment_text = TextAreaField(
        _l("Fragment text"),
        description=_l("For a text fragment: the set list, a poem, a note."),
        validators=[Optional(), Length(max=5_000)],
    )
    message = TextAreaField(_l("Message for the city"), validators=[Optional(), Length(max=1_000)])
    opens_minutes_before_doors = _margin(
        _l("Opens (minutes before doors)"), _l("60: the code works from an hour before doors.")
    )
    closes_minutes_after_curfew = _margin(
        _l("Closes (minutes after curfew)"), _l("180: until three hours after the curfew.")
    )
    cap = IntegerField(
        _l("Cap (stamps)"),
        description=_l("Leave empty for no limit."),
        validators=[Optional(), NumberRange(1, 1_000_000)],
    )
    screen_only = BooleanField(
        _l("Only the rotating screen's code"),
        description=_l("A poster's code (or its photo) is then refused."),
    )
    submit = SubmitField(_l("Save the quest"))

    @classmethod
    def for_quest(cls, quest: Quest | None) -> QuestForm:
        if quest is None:
            return cls(opens_minutes_before_doors=60, closes_minutes_after_curfew=180)
        return cls(obj=quest)

    def to_fields(self) -> QuestFields:
        return QuestFields(
            fragment_title=self.fragment_title.data,
            fragment_kind=FragmentKind(self.fragment_kind.data),
            fragment_text=self.fragment_text.data or "",
            message=self.message.data or "",
            opens_minutes_before_doors=self.opens_minutes_before_doors.data,
            closes_minutes_after_curfew=self.closes_minutes_after_curfew.data,
            cap=self.cap.data,
            screen_only=self.screen_only.data,
        )


class BadgeForm(AdminForm):
    name = required_text(_l("Badge"), 80)
    cities = IntegerField(
        _l("Cities needed"), validators=[InputRequired(), NumberRange(1, 500)], default=3
    )
    reward = SelectField(
        _l("Reward"),
        choices=[
            SelectChoice(BadgeReward.FILE.value, _l("A file (bonus track)")),
            SelectChoice(BadgeReward.DISCOUNT.value, _l("A discount code, usable once")),
        ],
    )
    reward_title = required_text(_l("Reward title"), 120)
    reward_file = FileField(
        _l("Reward file"),
        description=_l("For a file reward: audio or video. Only fans with the badge get it."),
        validators=[Upload(REWARD)],
    )
    discount_percent = IntegerField(
        _l("Discount (%)"),
        description=_l("For a code: what it takes off every line of one order."),
        validators=[Optional(), NumberRange(1, 100)],
    )
    submit = SubmitField(_l("Save the badge"))

    def to_fields(self) -> BadgeFields:
        return BadgeFields(
            name=self.name.data,
            cities=self.cities.data,
            reward=BadgeReward(self.reward.data),
            reward_title=self.reward_title.data,
            discount_percent=self.discount_percent.data,
        )
