"""Admin forms for numbered editions (the run, its variants, caps, reveal mode and card)
and their insert pools. Variants are typed one per line as name:count."""

from __future__ import annotations

import os
from typing import IO

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextArea

from storefront.admin.fields import ParsedTextField
from storefront.admin.forms import AdminForm, required_text
from storefront.admin.uploads import Upload, UploadKind, UploadRefused, sniff_media
from storefront.editions.admin_services import EditionFields, Variants
from storefront.editions.models import Edition, RevealMode

REVEAL_LABELS = {
    RevealMode.AT_ONCE: _l("At once: the order page shows the copy when it is paid"),
    RevealMode.SEALED: _l("Sealed: a mystery cover, shown once the order has shipped"),
}
MAX_COPIES = 100_000  # far above any pressing, far below the database's integer limit
PDF_MAGIC = b"%PDF-"


def _sniff_card(stream: IO[bytes], filename: str) -> str:
    """A PDF, a video or an audio file, judged by its name and its first bytes."""
    message = _l("Upload a PDF, a video (MP4, WebM) or an audio file (MP3, OGG, WAV, FLAC).")
    if os.path.splitext(filename.lower())[1] == ".pdf":
        if stream.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise UploadRefused(message)
        return ".pdf"
    try:
        return sniff_media(stream, filename)
    except UploadRefused:
        raise UploadRefused(message) from None


# The hidden content of the cards: private, only served to a fan who redeemed a code.
CARD = UploadKind("cards", "PRIVATE_DIR", "REWARD_MAX_BYTES", _sniff_card)


def parse_variants(text: str) -> Variants:
    """`"standard:250\\ngold:10"` -> (("standard", 250), ("gold", 10)); ValueError otherwise.

    Counts and names are only read here: the services say what is wrong with them."""
    variants = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        name, colon, count = line.rpartition(":")
        if not colon or not name.strip() or len(name.strip()) > 80:
            raise ValueError(line)
        variants.append((name.strip(), int(count.strip())))
    return tuple(variants)


def format_variants(variants: Variants) -> str:
    return "\n".join(f"{name}:{count}" for name, count in variants)


class VariantsField(ParsedTextField):
    """Variants with their counts, one per line as name:count; `data` is ((name, count), ...)."""

    widget = TextArea()
    parse = staticmethod(parse_variants)
    show = staticmethod(format_variants)
    message = _l("Write one variant per line as name:count, like gold:10 (names up to 80 letters).")
    empty = ()


def _cap(label) -> IntegerField:
    return IntegerField(
        label,
        description=_l("Empty for no cap. Checked at checkout; the draw itself never filters."),
        validators=[Optional(), NumberRange(max=MAX_COPIES)],
    )


class EditionForm(AdminForm):
    name = required_text(_l("Name"), 200)
    size = IntegerField(
        _l("Size (copies in the run)"),
        validators=[InputRequired(), NumberRange(max=MAX_COPIES)],
    )
    variants = VariantsField(
        _l("Variants"),
        description=_l("One per line as name:count, in the order of the draw, like standard:250."),
        validators=[InputRequired(), Length(max=5_000)],
    )
    reveal_mode = SelectField(
        _l("Fans see their copy"),
        choices=[SelectChoice(mode.value, label) for mode, label in REVEAL_LABELS.items()],
        default=RevealMode.AT_ONCE,
    )
    per_order_cap = _cap(_l("Cap per order (copies)"))
    per_fan_cap = _cap(_l("Cap per fan (copies)"))
    card_content = TextAreaField(
        _l("Card content"),
        description=_l("What a fan reads after redeeming the code printed on a card."),
        validators=[Optional(), Length(max=20_000)],
    )
    card_file = FileField(
        _l("Hidden file"),
        description=_l("PDF, video (MP4, WebM) or audio (MP3, OGG, WAV, FLAC). Never public."),
        validators=[Upload(CARD)],
    )
    remove_card_file = BooleanField(_l("Remove the hidden file on record"))
    submit = SubmitField(_l("Save the edition"))

    @classmethod
    def for_edition(cls, edition: Edition, **kwargs) -> EditionForm:
        # No `obj=`: WTForms would prefer the model's `variants` relationship to our tuple.
        return cls(
            name=edition.name,
            size=edition.size,
            variants=tuple((variant.name, variant.count) for variant in edition.variants),
            reveal_mode=edition.reveal_mode,
            per_order_cap=edition.per_order_cap,
            per_fan_cap=edition.per_fan_cap,
            card_content=edition.card_content,
            **kwargs,
        )

    def files(self) -> dict:
        """The upload the edition services take."""
        return {"card_file": (self.card_file, CARD)}

    def to_fields(self) -> EditionFields:
        return EditionFields(
            name=self.name.data,
            size=self.size.data,
            variants=self.variants.data or (),
            reveal_mode=self.reveal_mode.data,
            per_order_cap=self.per_order_cap.data,
            per_fan_cap=self.per_fan_cap.data,
            card_content=self.card_content.data or "",
            remove_card_file=self.remove_card_file.data,
        )
