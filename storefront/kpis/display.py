"""Indicator figures as people read them ("4,2 %", "24,00 €", "2,5 / week") and the
chart of one indicator with its zones. Pure apart from Flask-Babel's lazy words."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_currency, format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from storefront.kpis.charts import Band, line_chart
from storefront.kpis.dashboard import IndicatorView
from storefront.kpis.indicators import Rule, Unit, level

SUFFIX = {
    Unit.PERCENT: " %",
    Unit.PER_WEEK: _l(" / week"),
    Unit.DAYS: _l(" days"),
}


def plain(hundredths: Fraction | int) -> Decimal:
    """Hundredths as a two-decimal number (rounded half up), as the CSV files write it."""
    return (
        Decimal(Fraction(hundredths).numerator) / Decimal(Fraction(hundredths).denominator) / 100
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def shown(rule: Rule, hundredths: Fraction | int, locale: str) -> str:
    """A value or a zone bound, in hundredths, as the dashboard writes it (money as the
    rest of the admin writes it: "€24.00", "24,00 €")."""
    if rule.unit == Unit.MONEY:
        return format_currency(plain(hundredths), "EUR", locale=locale)
    number = format_decimal(plain(hundredths), format="#,##0.##", locale=locale)
    return f"{number}{SUFFIX[rule.unit]}"


def shown_value(view: IndicatorView, locale: str) -> str | None:
    return None if view.value is None else shown(view.rule, level(view.rule, view.value), locale)


def chart(view: IndicatorView, locale: str) -> Markup:
    """The indicator's trend with its healthy zone (green) and alert zone (red) behind it."""
    rule, zone = view.rule, view.zone
    healthy, alert = Fraction(zone.healthy), Fraction(zone.alert)
    if rule.higher_is_better:
        bands = [Band(healthy, None, "zone-healthy"), Band(Fraction(0), alert, "zone-alert")]
    else:
        bands = [Band(Fraction(0), healthy, "zone-healthy"), Band(alert, None, "zone-alert")]
    values = [None if p.value is None else level(rule, p.value) for p in view.points]
    labels = [
        f"{p.start.isoformat()}: {shown(rule, v, locale) if v is not None else _l('no data')}"
        for p, v in zip(view.points, values, strict=True)
    ]
    return line_chart(values, labels, title=str(view.texts.title), bands=bands)
