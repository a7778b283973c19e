"""The dashboard's forms: the period it reads (a GET form), an indicator's zone, and a
week's organic playlist adds."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from storefront.admin.fields import IsoDateField, ParsedTextField, format_price
from storefront.kpis.periods import DEFAULT_PRESET, MAX_DAYS, Period, preset
from storefront.kpis.services import MAX_PLAYLIST_ADDS
from storefront.money import parse_price

PRESET_LABELS = {
    "7d": _l("Last 7 days"),
    "4w": _l("Last 4 weeks"),
    "13w": _l("Last 13 weeks"),
    "12m": _l("Last 12 months"),
}


def parse_hundredths(text: str) -> int:
    """`"2,5 %"`, `"24.00 €"` or `"12"` -> 250, 2400, 1200; ValueError otherwise."""
    return parse_price(text.replace("%", ""))


class HundredthsField(ParsedTextField):
    """A number with at most two decimals, as typed ("2,5"); `data` is hundredths."""

    parse = staticmethod(parse_hundredths)
    show = staticmethod(format_price)
    message = _l("Write a number with at most two decimals, like 2,5 or 30.")


def release_choices(releases) -> list[SelectChoice]:
    everything = SelectChoice("", _l("All releases"))
    return [everything, *(SelectChoice(str(r.id), f"{r.artist} — {r.title}") for r in releases)]


class PeriodForm(FlaskForm):
    """Which period and which release the dashboard reads: nothing changes, no CSRF."""

    class Meta:
        csrf = False

    preset = SelectField(
        _l("Period"),
        choices=[SelectChoice(key, label) for key, label in PRESET_LABELS.items()],
        default=DEFAULT_PRESET,
        validators=[Optional()],
    )
    start = IsoDateField(_l("From"), validators=[Optional()])
    end = IsoDateField(_l("To"), validators=[Optional()])
    release = SelectField(_l("Release"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def offer(self, releases) -> PeriodForm:
        self.release.choices = release_choices(releases)
        return self

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = self.start.data, self.end.data
        if (start is None) != (end is None):
            self.end.errors.append(_l("Give both dates, or choose a period above."))
            return False
        if start and end and start > end:
            self.end.errors.append(_l("The end comes before the start."))
            return False
        if start and end and (end - start).days + 1 > MAX_DAYS:
            self.end.errors.append(_l("Choose at most three years."))
            return False
        return True

    def period(self, today: date) -> Period:
        """The period asked for; the default one when the form was not valid."""
        if not self.errors and self.start.data and self.end.data:
            return Period(self.start.data, self.end.data)
        return preset(self.preset.data if not self.errors else DEFAULT_PRESET, today)

    def release_id(self) -> int | None:
        return int(self.release.data) if not self.errors and self.release.data else None

    def query(self) -> dict[str, str]:
        """The period and release as URL parameters (for the CSV links and redirects)."""
        return {
            key: value
            for key, value in {
                "preset": self.preset.data or "",
                "start": self.start.raw_data[0] if self.start.raw_data else "",
                "end": self.end.raw_data[0] if self.end.raw_data else "",
                "release": self.release.data or "",
            }.items()
            if value
        }


class ZoneForm(FlaskForm):
    healthy = HundredthsField(_l("Healthy from"), validators=[InputRequired()])
    alert = HundredthsField(_l("Alert at"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the zone"))


class PlaylistForm(FlaskForm):
    week = IsoDateField(
        _l("Week of"),
        description=_l("Any day of the week: the count is kept for its Monday."),
        validators=[InputRequired()],
    )
    release = SelectField(_l("Release"), choices=[], validators=[Optional()])
    adds = IntegerField(
        _l("Organic playlist adds"),
        validators=[InputRequired(), NumberRange(0, MAX_PLAYLIST_ADDS)],
    )
    submit = SubmitField(_l("Save the count"))

    def offer(self, releases, today: date) -> PlaylistForm:
        self.release.choices = release_choices(releases)
        if self.week.data is None and not self.week.raw_data:
            self.week.data = today - timedelta(days=today.weekday())
        return self

    def release_id(self) -> int | None:
        return int(self.release.data) if self.release.data else None
