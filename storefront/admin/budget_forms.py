"""The forms of a release's budget and of the opportunity reserve (amounts typed in
euros, like the rest of the admin; `data` in integer cents)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from storefront.admin.fields import IsoDateField
from storefront.admin.forms import AdminForm, strip_text
from storefront.admin.order_forms import AmountField
from storefront.budgets.models import BudgetLine, ReleaseBudget, ReserveYear
from storefront.budgets.reserve import MAX_YEARLY_BUDGET_CENTS
from storefront.budgets.spending import (
    CATEGORY_LABELS,
    MAX_AMOUNT_CENTS,
    MAX_STOP_LOSS_PERCENT,
    LineFields,
    line_name,
)
from storefront.catalog.models import Release

AUTO, YES, NO = "auto", "yes", "no"


def _at_most(cents: int, message):
    """A validator: an amount (cents) no larger than `cents`."""

    def check(_form, field) -> None:
        if field.data is not None and field.data > cents:
            raise ValidationError(str(message))

    return check


def amount_field(label, *, required: bool = True, most: int = MAX_AMOUNT_CENTS) -> AmountField:
    first = InputRequired() if required else Optional()
    too_large = _l("An amount is at most %(most)s €.", most=f"{most // 100:,}".replace(",", " "))
    return AmountField(label, validators=[first, _at_most(most, too_large)])


class LineForm(AdminForm):
    category = SelectField(
        _l("Category"),
        choices=[
            SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()
        ],
    )
    label = StringField(
        _l("Label"),
        description=_l("Optional: the pressing plant, the campaign, the director…"),
        filters=[strip_text],
        validators=[Optional(), Length(max=120)],
    )
    planned = amount_field(_l("Planned (€)"))
    essential = SelectField(
        _l("Essential"),
        choices=[
            SelectChoice(AUTO, _l("As the category goes (pressing and mastering are)")),
            SelectChoice(YES, _l("Essential: still paid when the budget is frozen")),
            SelectChoice(NO, _l("Not essential: frozen by the stop-loss")),
        ],
        default=AUTO,
    )
    submit = SubmitField(_l("Save the line"))

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        kwargs.setdefault("prefix", "line")
        super().__init__(*args, **kwargs)
        if editing:  # a line that exists is essential or not: no "as the category goes"
            self.essential.choices = self.essential.choices[1:]

    @classmethod
    def for_line(cls, line: BudgetLine, formdata=None) -> LineForm:
        return cls(
            formdata=formdata,
            editing=True,
            category=line.category,
            label=line.label,
            planned=line.planned_cents,
            essential=YES if line.essential else NO,
        )

    def to_fields(self) -> LineFields:
        essential = {AUTO: None, YES: True, NO: False}[self.essential.data]
        return LineFields(self.category.data, self.label.data or "", self.planned.data, essential)


class SpendForm(AdminForm):
    line = SelectField(_l("Line"), coerce=int)
    amount = amount_field(_l("Amount (€)"))
    spent_on = IsoDateField(_l("Date"), validators=[InputRequired()])
    note = StringField(_l("Note"), filters=[strip_text], validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Record the spend"))

    def __init__(self, budget: ReleaseBudget | None, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "spend")
        super().__init__(*args, **kwargs)
        frozen = budget is not None and budget.frozen_at is not None
        self.line.choices = [
            (line.id, _choice_label(line, frozen)) for line in (budget.lines if budget else [])
        ]


def _choice_label(line: BudgetLine, frozen: bool) -> str:
    if frozen and not line.essential:
        return f"{line_name(line)} · {_l('frozen')}"
    return line_name(line)


class StopLossForm(AdminForm):
    percent = IntegerField(
        _l("Stop-loss (percent of the expected margin)"),
        description=_l("150: non-essential spend may reach one and a half times the margin."),
        validators=[InputRequired(), NumberRange(1, MAX_STOP_LOSS_PERCENT)],
    )
    submit = SubmitField(_l("Save the rule"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "rule")
        super().__init__(*args, **kwargs)


class LiftForm(AdminForm):
    # DataRequired, not InputRequired: a reason of spaces is no reason.
    reason = StringField(
        _l("Why lift it"), filters=[strip_text], validators=[DataRequired(), Length(max=300)]
    )
    submit = SubmitField(_l("Lift the freeze"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "lift")
        super().__init__(*args, **kwargs)


class ReserveYearForm(AdminForm):
    budget = amount_field(_l("The label's budget for the year (€)"), most=MAX_YEARLY_BUDGET_CENTS)
    share = IntegerField(
        _l("Kept as the opportunity reserve (%)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    submit = SubmitField(_l("Save the year"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "year")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_reserve(cls, reserve: ReserveYear | None) -> ReserveYearForm:
        if reserve is None:
            return cls(formdata=None, share=10)
        return cls(formdata=None, budget=reserve.yearly_budget_cents, share=reserve.share_percent)


class ReserveUseForm(AdminForm):
    amount = amount_field(_l("Amount (€)"))
    used_on = IsoDateField(_l("Date"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The opportunity: a compilation, a sync, a radio session…"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=2000)],
    )
    release = SelectField(_l("Release (optional)"), default="")
    submit = SubmitField(_l("Use the reserve"))

    def __init__(self, releases: list[Release], *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "use")
        super().__init__(*args, **kwargs)
        self.release.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(release.id), release.title) for release in releases
        ]

    @property
    def release_id(self) -> int | None:
        return int(self.release.data) if self.release.data else None


class OutcomeForm(AdminForm):
    outcome = TextAreaField(
        _l("What it brought"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=2000)],
    )
    outcome_cents = amount_field(_l("Money it brought (€), when it can be counted"), required=False)
    submit = SubmitField(_l("Save the outcome"))
