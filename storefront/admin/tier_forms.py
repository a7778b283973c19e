"""The admin form of a membership tier: prices typed in euros, benefits, seats, Stripe."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from storefront.admin.fields import PriceField
from storefront.admin.forms import MAX_PRICE_CENTS, AdminForm, required_text, slug_field, strip_text
from storefront.members.models import Tier
from storefront.members.tiers import MAX_DISCOUNT_PERCENT, TierFields

_STRIPE_PRICE = Regexp(
    r"^price_[A-Za-z0-9]+$", message=_l("A Stripe price id looks like price_1PqR2s...")
)
MAX_EARLY_HOURS = 24 * 30
MAX_CAP = 1_000_000


def _in_price_range(form, field) -> None:
    # Text that is no price has its own message already (PriceField).
    if field.data is not None and not 0 < field.data <= MAX_PRICE_CENTS:
        raise ValidationError(_l("A membership costs more than 0 € and at most 10 000 €."))


def _price(label, required) -> PriceField:
    return PriceField(label, validators=[required, _in_price_range])


def _stripe_price(label) -> StringField:
    return StringField(
        label,
        description=_l("From the Stripe dashboard; empty while memberships are paid in test mode."),
        filters=[strip_text, lambda v: v or None],
        validators=[Optional(), Length(max=255), _STRIPE_PRICE],
    )


class TierForm(AdminForm):
    name = required_text(_l("Name"), 80)
    slug = slug_field(
        _l("Lowercase letters, digits and hyphens, like supporter."),
        _l("Use only lowercase letters, digits and hyphens."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5_000)])
    monthly = _price(_l("Price per month (€)"), InputRequired())
    yearly = _price(_l("Price per year (€)"), Optional())
    discount_percent = IntegerField(
        _l("Discount on records and merch (%)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, MAX_DISCOUNT_PERCENT)],
    )
    early_access_hours = IntegerField(
        _l("Early access to preorders (hours)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, MAX_EARLY_HOURS)],
    )
    free_digital = BooleanField(_l("New digital releases free"))
    posts = BooleanField(_l("Members-only studio diaries"))
    liner_notes = BooleanField(_l("Name in the liner notes"))
    member_cap = IntegerField(
        _l("Seats (empty: no limit)"), validators=[Optional(), NumberRange(1, MAX_CAP)]
    )
    active = BooleanField(_l("Open to new members"), default=True)
    stripe_monthly_price = _stripe_price(_l("Stripe price, monthly"))
    stripe_yearly_price = _stripe_price(_l("Stripe price, yearly"))
    submit = SubmitField(_l("Save the tier"))

    def to_fields(self) -> TierFields:
        return TierFields(
            slug=self.slug.data,
            name=self.name.data,
            description=self.description.data or "",
            monthly_cents=self.monthly.data,
            yearly_cents=self.yearly.data,
            discount_percent=self.discount_percent.data,
            early_access_hours=self.early_access_hours.data,
            free_digital=self.free_digital.data,
            posts=self.posts.data,
            liner_notes=self.liner_notes.data,
            member_cap=self.member_cap.data,
            active=self.active.data,
            stripe_monthly_price=self.stripe_monthly_price.data,
            stripe_yearly_price=self.stripe_yearly_price.data,
        )

    @classmethod
    def for_tier(cls, tier: Tier) -> TierForm:
        return cls(obj=tier, monthly=tier.monthly_cents, yearly=tier.yearly_cents)
