"""Admin forms (Flask-WTF: CSRF on every one); they turn what was typed into service input."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from storefront.admin.fields import (
    DurationField,
    IsoDateField,
    OptionsField,
    PriceField,
    format_options,
    parse_options,
)
from storefront.admin.uploads import COVER, DOWNLOAD, PREVIEW, TRACK_FILE, Upload
from storefront.catalog.admin_services import (
    AUTO_WEIGHT,
    CatalogRefused,
    ProductFields,
    ReleaseFields,
    StockChanged,
    StockSeen,
    TrackFields,
    default_weight,
)
from storefront.catalog.models import Product, ProductKind, Release, Track, WeightClass

MAX_STOCK = 1_000_000


def strip_text(value: object) -> object:
    """A field filter: text without surrounding spaces (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def required_text(label, max_length: int) -> StringField:
    """A text field that must be filled in, stripped, at most `max_length` characters."""
    validators = [InputRequired(), Length(max=max_length)]
    return StringField(label, filters=[strip_text], validators=validators)


class AdminForm(FlaskForm):
    """A form that can show a refusal from the catalog services next to the right field."""

    def apply_refusal(self, refusal: CatalogRefused) -> None:
        field = self._fields.get(refusal.field or "")
        if field is None:
            self.form_errors.append(refusal.message)
        else:
            field.errors = [*field.errors, refusal.message]


class LoginForm(FlaskForm):
    email = required_text(_l("Email"), 254)
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


def slug_field(description: LazyString, message: LazyString) -> StringField:
    """The part of a page's address the label types (a release's, a tier's)."""
    return StringField(
        _l("Address (slug)"),
        description=description,
        filters=[strip_text],
        validators=[InputRequired(), Length(max=80), Regexp(r"^[a-z0-9-]+$", message=message)],
    )


class ReleaseForm(AdminForm):
    slug = slug_field(
        _l("Lowercase letters, digits and hyphens: /releases/grains-de-sable"),
        _l("Use only lowercase letters, digits and hyphens, like grains-de-sable."),
    )
    title = required_text(_l("Title"), 200)
    artist = required_text(_l("Artist"), 200)
    release_date = IsoDateField(_l("Release date"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    credits = TextAreaField(_l("Credits"), validators=[Optional(), Length(max=20_000)])
    published = BooleanField(_l("Published (visible in the shop)"))
    cover = FileField(
        _l("Cover"), description=_l("JPEG, PNG or WebP, square."), validators=[Upload(COVER)]
    )
    submit = SubmitField(_l("Save the release"))

    def to_fields(self) -> ReleaseFields:
        return ReleaseFields(
            slug=self.slug.data,
            title=self.title.data,
            artist=self.artist.data,
            release_date=self.release_date.data,
            description=self.description.data or "",
            credits=self.credits.data or "",
            published=self.published.data,
        )


class TrackForm(AdminForm):
    position = IntegerField(_l("No."), validators=[InputRequired(), NumberRange(1, 999)])
    title = required_text(_l("Title"), 200)
    duration = DurationField(_l("Duration (m:ss)"), validators=[Optional()])
    preview = FileField(
        _l("Audio preview"), description=_l("MP3, OGG, WAV or FLAC."), validators=[Upload(PREVIEW)]
    )
    streaming_full = BooleanField(_l("The preview is the full track"))
    early_download = BooleanField(
        _l("Early download for backers"),
        description=_l("Backers of a format with the digital album get it once unlocked."),
    )
    full_file = FileField(
        _l("Full-length file"),
        description=_l("MP3, OGG, WAV or FLAC. Never public: only backers' links serve it."),
        validators=[Upload(TRACK_FILE)],
    )
    submit = SubmitField(_l("Save the track"))

    def __init__(self, *args, **kwargs) -> None:
        # Prefixed: the add form shares the release page with the release form's fields.
        kwargs.setdefault("prefix", "track")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_track(cls, track: Track) -> TrackForm:
        return cls(obj=track, duration=track.duration_seconds)

    @classmethod
    def next_for(cls, release: Release) -> TrackForm:
        """An empty form numbered after the release's last track."""
        last = max((track.position for track in release.tracks), default=0)
        return cls(formdata=None, position=last + 1)

    def files(self) -> dict:
        """The uploads the track services take: preview (public) and full file (private)."""
        return {"preview_path": (self.preview, PREVIEW), "file_path": (self.full_file, TRACK_FILE)}

    def to_fields(self) -> TrackFields:
        return TrackFields(
            position=self.position.data,
            title=self.title.data,
            duration_seconds=self.duration.data or 0,
            streaming_full=self.streaming_full.data,
            early_download=self.early_download.data,
        )


MAX_PRICE_CENTS = 1_000_000  # far above any record, far below the database's integer limit
KIND_LABELS = {
    ProductKind.VINYL: _l("Vinyl"),
    ProductKind.CD: _l("CD"),
    ProductKind.CASSETTE: _l("Cassette"),
    ProductKind.DIGITAL: _l("Digital"),
    ProductKind.MERCH: _l("Merch"),
}


class ProductForm(AdminForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=ProductKind.VINYL,
    )
    name = required_text(_l("Name"), 120)
    price = PriceField(_l("Price (€)"), validators=[InputRequired()])
    stock = IntegerField(
        _l("Stock (units)"),
        description=_l("For a physical product without options. Empty for digital."),
        validators=[Optional(), NumberRange(0, MAX_STOCK)],
    )
    options = OptionsField(
        _l("Options with their stock"),
        description=_l("Sizes and their units, like S:8, M:15. Empty if none."),
        validators=[Optional(), Length(max=2_000)],
    )
    weight_class = SelectField(
        _l("Ships as"),
        choices=[
            SelectChoice(AUTO_WEIGHT, _l("Automatic (from the kind)")),
            SelectChoice(WeightClass.LETTER.value, _l("Letter")),
            SelectChoice(WeightClass.PARCEL.value, _l("Parcel")),
        ],
        description=_l("Automatic: CD and cassette as a letter, vinyl and merch as a parcel."),
        default=AUTO_WEIGHT,
    )
    active = BooleanField(_l("On sale"), default=True)
    includes_digital = BooleanField(
        _l("Comes with the digital album"),
        description=_l("A physical format with a download code: backers get early downloads."),
    )
    download = FileField(
        _l("Download (zip)"),
        description=_l("Digital products only: the file fans receive. Never public."),
        validators=[Upload(DOWNLOAD)],
    )
    # The stock figures the form showed: a save only overwrites figures nobody moved since.
    stock_seen = HiddenField()
    options_seen = HiddenField()
    submit = SubmitField(_l("Save the product"))

    product: Product | None = None

    @classmethod
    def for_product(cls, product: Product) -> ProductForm:
        # No `obj=`: WTForms would prefer the model's `options` relationship to our tuple.
        form = cls(
            kind=product.kind,
            name=product.name,
            price=product.price_cents,
            stock=product.stock,
            active=product.active,
            includes_digital=product.includes_digital,
            **cls._figures(product),
        )
        form.product = product
        return form

    @staticmethod
    def _figures(product: Product) -> dict:
        options = tuple((option.label, option.stock) for option in product.options)
        weight = product.weight_class
        automatic = product.kind == ProductKind.DIGITAL or weight == default_weight(product.kind)
        return {
            "options": options,
            "weight_class": AUTO_WEIGHT if automatic else weight,
            "stock_seen": "" if product.stock is None else str(product.stock),
            "options_seen": format_options(options),
        }

    def validate_price(self, field) -> None:
        if field.data is not None and field.data > MAX_PRICE_CENTS:
            raise ValidationError(_l("A price is at most 10 000 €."))

    def to_fields(self) -> ProductFields:
        return ProductFields(
            kind=self.kind.data,
            name=self.name.data,
            price_cents=self.price.data,
            stock=self.stock.data,
            options=self.options.data or (),
            weight_class=self.weight_class.data,
            active=self.active.data,
            includes_digital=self.includes_digital.data,
        )

    def seen(self) -> StockSeen:
        """What the form showed; anything unreadable counts as unknown, so it is not trusted."""
        stock = self.stock_seen.data or ""
        try:
            options = dict(parse_options(self.options_seen.data or ""))
        except ValueError:
            options = {}
        # A hidden field comes back as sent: "²" passes isdigit(), 10**20 overflows the query.
        readable = stock.isascii() and stock.isdigit() and len(stock) <= len(str(MAX_STOCK))
        return StockSeen(stock=int(stock) if readable else None, options=options)

    def apply_refusal(self, refusal: CatalogRefused) -> None:
        if isinstance(refusal, StockChanged) and self.product is not None:
            # The transaction was rolled back: the product now reads the current figures.
            figures = self._figures(self.product)
            self.stock_seen.data, self.options_seen.data = (
                figures["stock_seen"],
                figures["options_seen"],
            )
            now = figures["options_seen"] or figures["stock_seen"] or "0"
            message = f"{refusal.message} {_('Now on record: %(figures)s.', figures=now)}"
            refusal = CatalogRefused(message, field=refusal.field)
        super().apply_refusal(refusal)
