"""Form fields for what the label types as text: prices, durations, options, dates.

Each keeps the text as typed when it is refused, so the form comes back exactly as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField

from storefront.money import parse_price

Options = tuple[tuple[str, int], ...]

MAX_DURATION_SECONDS = 24 * 3600
_DURATION_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,4}):([0-5]\d)$")
_OPTION_RE = re.compile(r"^(?P<label>[^:]{1,40}):\s*(?P<stock>\d{1,6})$")


# --- parsing (pure) ---------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """`"4:05"` -> 245 and `"1:02:03"` -> 3723 seconds; raises ValueError otherwise."""
    match = _DURATION_RE.match(text.strip())
    if not match:
        raise ValueError(text)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if match.group(1) is not None and minutes > 59:
        raise ValueError(text)
    total = hours * 3600 + minutes * 60 + seconds
    if total > MAX_DURATION_SECONDS:
        raise ValueError(text)
    return total


def format_duration(seconds: int) -> str:
    """245 -> `"4:05"`; an hour or more -> `"1:02:03"`."""
    minutes, seconds = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def parse_options(text: str) -> Options:
    """`"S:8, M:15"` (commas or new lines) -> (("S", 8), ("M", 15)); ValueError otherwise."""
    options: list[tuple[str, int]] = []
    labels: set[str] = set()
    for chunk in filter(None, (part.strip() for part in re.split(r"[,\n]", text))):
        match = _OPTION_RE.match(chunk)
        label = match["label"].strip() if match else ""
        if not label or label.casefold() in labels:
            raise ValueError(chunk)
        labels.add(label.casefold())
        options.append((label, int(match["stock"])))
    return tuple(options)


def format_options(options: Options) -> str:
    return ", ".join(f"{label}:{stock}" for label, stock in options)


def format_price(cents: int) -> str:
    """2400 -> `"24,00"` in French, `"24.00"` in English: what people type back."""
    symbol = get_decimal_symbol(str(get_locale()))
    return f"{cents // 100}{symbol}{cents % 100:02d}"


# --- fields -----------------------------------------------------------------------------


class ParsedTextField(StringField):
    """A text input read by `parse` and shown by `show`; `message` says what is expected."""

    parse: Callable[[str], Any]
    show: Callable[[Any], str]
    message: Any = _l("This value is not valid.")
    empty: Any = None

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip()
        self.data = self.empty
        if text:
            try:
                self.data = self.parse(text)
            except ValueError:
                raise ValueError(str(self.message)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data in (None, self.empty) else self.show(self.data)


class PriceField(ParsedTextField):
    """Euros and cents as typed ("24,00" or "24.00"); `data` is integer cents."""

    parse = staticmethod(parse_price)
    show = staticmethod(format_price)
    message = _l("Write the price in euros, like 24,00 or 24.00.")


class DurationField(ParsedTextField):
    """A duration as minutes:seconds; `data` is seconds."""

    parse = staticmethod(parse_duration)
    show = staticmethod(format_duration)
    message = _l("Write the duration as minutes:seconds, like 4:05 (or 1:02:03).")


class OptionsField(ParsedTextField):
    """Options with their stock, like "S:8, M:15"; `data` is ((label, stock), ...)."""

    parse = staticmethod(parse_options)
    show = staticmethod(format_options)
    message = _l("Write each option once as label:stock, separated by commas, like S:8, M:15.")
    empty: Any = ()


class IsoDateField(DateField):
    """A date picker on phones; anything else typed gets a message that shows the format."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Write the date as YYYY-MM-DD, like 2025-03-14."))) from None
