"""The form of a members-only post."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from storefront.admin.campaign_forms import LocalDateTimeField
from storefront.admin.forms import AdminForm, required_text
from storefront.admin.uploads import FRAGMENT_AUDIO, FRAGMENT_IMAGE, Upload
from storefront.members.models import MemberPost
from storefront.members.posts import PostFields

# Private like a gig's fragment: only members whose tier has posts get a link.
POST_IMAGE = replace(FRAGMENT_IMAGE, folder="posts")
POST_AUDIO = replace(FRAGMENT_AUDIO, folder="posts")


class PostForm(AdminForm):
    title = required_text(_l("Title"), 200)
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=20_000)])
    image_file = FileField(
        _l("Image"),
        description=_l("JPEG, PNG or WebP. Never public: members get a link."),
        validators=[Upload(POST_IMAGE)],
    )
    audio_file = FileField(
        _l("Recording"),
        description=_l("MP3, OGG, WAV or FLAC. Never public: members get a link."),
        validators=[Upload(POST_AUDIO)],
    )
    published_at = LocalDateTimeField(
        _l("Published at"),
        description=_l("Members see the post from then on."),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save the post"))

    @classmethod
    def for_post(cls, post: MemberPost | None) -> PostForm:
        return cls(obj=post)

    def to_fields(self) -> PostFields:
        return PostFields(self.title.data, self.body.data or "", self.published_at.data)

    def files(self) -> dict:
        return {
            "image_file": (self.image_file, POST_IMAGE),
            "audio_file": (self.audio_file, POST_AUDIO),
        }
