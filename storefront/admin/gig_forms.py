"""Admin forms for the tour: a tour, and a gig with its doors and curfew typed on the
venue's clock (the service turns them into UTC)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from storefront.admin.forms import AdminForm, required_text, strip_text
from storefront.quests.admin import GigFields, GigRefused, TourFields
from storefront.quests.models import Gig
from storefront.quests.times import local_times

# Where a band touring Europe plays; any other IANA zone is typed in `other_timezone`.
EUROPEAN_ZONES = (
    "Europe/Amsterdam",
    "Europe/Athens",
    "Europe/Belgrade",
    "Europe/Berlin",
    "Europe/Brussels",
    "Europe/Bucharest",
    "Europe/Budapest",
    "Europe/Copenhagen",
    "Europe/Dublin",
    "Europe/Helsinki",
    "Europe/Lisbon",
    "Europe/Ljubljana",
    "Europe/London",
    "Europe/Luxembourg",
    "Europe/Madrid",
    "Europe/Oslo",
    "Europe/Paris",
    "Europe/Prague",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Vienna",
    "Europe/Warsaw",
    "Europe/Zagreb",
    "Europe/Zurich",
)
_VENUE_FORMAT = "%Y-%m-%dT%H:%M"


class VenueTimeField(DateTimeLocalField):
    """A date and time on the venue's clock; `data` is naive (the zone is the gig's)."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        formats = [_VENUE_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        super().__init__(label, validators, format=formats, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None  # InputRequired says what is missing
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = _l("Write the date and time as YYYY-MM-DD HH:MM, like 2026-07-04 20:00.")
            raise ValueError(str(message)) from None


class TourForm(AdminForm):
    name = required_text(_l("Tour name"), 120)
    artist = required_text(_l("Artist"), 120)
    submit = SubmitField(_l("Save the tour"))

    def to_fields(self) -> TourFields:
        return TourFields(name=self.name.data, artist=self.artist.data)


class GigForm(AdminForm):
    city = required_text(_l("City"), 80)
    venue = required_text(_l("Venue"), 120)
    country = StringField(
        _l("Country"),
        description=_l("Its two-letter code, like CH or FR."),
        filters=[strip_text],
        validators=[InputRequired(), Length(max=2)],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[
            *(SelectChoice(zone, zone) for zone in EUROPEAN_ZONES),
            SelectChoice("", _l("Another zone (below)")),
        ],
        default="Europe/Paris",
    )
    other_timezone = StringField(
        _l("Another time zone"),
        description=_l("Its IANA name, like America/Montreal, when the venue's is not listed."),
        filters=[strip_text],
        validators=[Optional(), Length(max=64)],
    )
    doors = VenueTimeField(
        _l("Doors"),
        description=_l("On the venue's clock, in its time zone."),
        validators=[InputRequired()],
    )
    curfew = VenueTimeField(
        _l("Curfew"),
        description=_l("On the venue's clock; after midnight, the next day's date."),
        validators=[InputRequired()],
    )
    ticket_url = StringField(
        _l("Ticket link"),
        description=_l("Empty when there is none yet."),
        filters=[strip_text],
        validators=[Optional(), Length(max=500)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5_000)])
    submit = SubmitField(_l("Save the gig"))

    @classmethod
    def for_gig(cls, gig: Gig) -> GigForm:
        """The gig as the venue's clock shows it, ready to edit."""
        times = local_times(gig.doors_at, gig.curfew_at, gig.timezone)
        listed = gig.timezone in EUROPEAN_ZONES
        # No `obj=`: WTForms would prefer the gig's own zone to the select's "another".
        return cls(
            city=gig.city,
            venue=gig.venue,
            country=gig.country,
            timezone=gig.timezone if listed else "",
            other_timezone="" if listed else gig.timezone,
            doors=_on_the_wall(times.doors),
            curfew=_on_the_wall(times.curfew),
            ticket_url=gig.ticket_url,
            notes=gig.notes,
        )

    def to_fields(self) -> GigFields:
        return GigFields(
            city=self.city.data,
            venue=self.venue.data,
            country=self.country.data,
            timezone=self.other_timezone.data or self.timezone.data,
            doors=self.doors.data,
            curfew=self.curfew.data,
            ticket_url=self.ticket_url.data or None,
            notes=self.notes.data or "",
        )

    def apply_refusal(self, refusal: GigRefused) -> None:
        if refusal.field == "timezone" and self.other_timezone.data:
            refusal = GigRefused(refusal.message, field="other_timezone")  # the zone typed
        super().apply_refusal(refusal)


def _on_the_wall(moment: datetime) -> datetime:
    """An aware time as the clock on the venue's wall reads it, to the minute."""
    return moment.replace(tzinfo=None, second=0, microsecond=0)
