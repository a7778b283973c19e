"""The waitlist form of a sold-out or all-reserved product."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from storefront.catalog.models import Product
from storefront.ids import parse_optional_id
from storefront.shop.forms import IdField, stripped


class WaitlistForm(FlaskForm):
    product_id = IdField(validators=[InputRequired()])
    # 0: any size. The choices are the product's sizes (`for_product`).
    option_id = SelectField(_l("Size"), coerce=parse_optional_id, default=0)
    email = StringField(
        _l("Your email"),
        filters=[stripped],
        validators=[
            InputRequired(),
            Email(message=_l("Please enter a valid email.")),
            Length(max=254),
        ],
    )
    submit = SubmitField(_l("Mail me if it comes back"))

    def for_product(self, product: Product | None) -> WaitlistForm:
        """The size choices of `product` (none for a product without sizes)."""
        options = product.options if product is not None else []
        self.option_id.choices = [(0, _l("Any size"))] + [(o.id, o.label) for o in options]
        return self
