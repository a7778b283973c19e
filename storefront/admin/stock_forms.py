"""The stock page's forms: a loss, the count, the restock threshold, restock orders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from storefront.admin.fields import IsoDateField
from storefront.admin.forms import MAX_STOCK, AdminForm, strip_text
from storefront.catalog.models import Product
from storefront.inventory.models import RestockOrder
from storefront.inventory.services import Count, count_field


def at_noon(day: date) -> datetime:
    """A typed day as an instant: noon UTC is that calendar day in every European zone,
    and two such days are whole days apart (the median restock time)."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def note_field(label) -> StringField:
    return StringField(label, filters=[strip_text], validators=[Optional(), Length(max=200)])


class SizedForm(AdminForm):
    """A form about one item of a product: its size, when it has sizes."""

    size = SelectField(_l("Size"), validate_choice=True, default="")
    prefix = ""  # its fields' names, unique on the stock page that shows every form

    def __init__(self, product: Product, *args, **kwargs) -> None:
        super().__init__(*args, prefix=self.prefix, **kwargs)
        self.size.choices = [
            SelectChoice(str(option.id), option.label) for option in product.options
        ]
        if not product.has_options:
            self.size.choices = [SelectChoice("", "—")]

    @property
    def option_id(self) -> int | None:
        return int(self.size.data) if self.size.data else None


class LossForm(SizedForm):
    prefix = "loss-"
    quantity = IntegerField(
        _l("Units lost"), validators=[InputRequired(), NumberRange(1, MAX_STOCK)]
    )
    note = note_field(_l("What happened (broken in the post, given to the press...)"))
    submit = SubmitField(_l("Take them out of the stock"))


class ThresholdForm(AdminForm):
    units = IntegerField(
        _l("Restock threshold (units)"),
        description=_l(
            "Empty: a quarter of the last run. The alert goes out when the stock falls under it."
        ),
        validators=[Optional(), NumberRange(0, MAX_STOCK)],
    )
    submit = SubmitField(_l("Save the threshold"))


class RestockForm(SizedForm):
    prefix = "restock-"
    quantity = IntegerField(
        _l("Units ordered"), validators=[InputRequired(), NumberRange(1, MAX_STOCK)]
    )
    supplier = StringField(
        _l("Supplier (pressing plant...)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=120)],
    )
    ordered_on = IsoDateField(_l("Ordered on"), validators=[InputRequired()], default=date.today)
    note = note_field(_l("Note"))
    submit = SubmitField(_l("Record the restock order"))


class ReceiveForm(AdminForm):
    received_on = IsoDateField(_l("Received on"), validators=[InputRequired()], default=date.today)
    quantity = IntegerField(
        _l("Units received"), validators=[InputRequired(), NumberRange(0, MAX_STOCK)]
    )
    submit = SubmitField(_l("Received: put them in the stock"))

    @classmethod
    def for_restock(cls, restock: RestockOrder, formdata=None) -> ReceiveForm:
        """One form per waiting restock order (its own field names on the page)."""
        return cls(formdata=formdata, prefix=f"r{restock.id}-", quantity=restock.quantity)


class CountForm(AdminForm):
    """The count of every item of a product, with the figures the page showed."""

    note = note_field(_l("Note"))
    submit = SubmitField(_l("Save the count"))

    @classmethod
    def for_product(cls, product: Product, formdata=None) -> CountForm:
        items = [(option.id, option.label, option.stock) for option in product.options]
        if not product.has_options:
            items = [(None, _l("Units on the shelf"), product.stock or 0)]
        fields = {}
        for option_id, label, stock in items:
            name = count_field(option_id)
            fields[name] = IntegerField(
                label, default=stock, validators=[InputRequired(), NumberRange(0, MAX_STOCK)]
            )
            fields[f"seen-{option_id or 0}"] = HiddenField(default=str(stock))
        form_class = type("ProductCountForm", (cls,), fields)
        return form_class(formdata=formdata)

    def counts(self) -> list[Count] | None:
        """What was counted; None when the page's figures came back altered."""
        counts = []
        for name, field in self._fields.items():
            if name.startswith("count-"):
                key = name.removeprefix("count-")
                seen = self._fields[f"seen-{key}"].data or ""
                if not (seen.isascii() and seen.isdigit()):
                    return None
                counts.append(Count(int(key) or None, int(seen), field.data))
        return counts
