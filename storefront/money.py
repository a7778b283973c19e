"""Money as integer minor units (cents); formatting for people. Free of Flask."""

from babel.numbers import format_currency


def format_cents(cents: int, currency: str = "EUR", locale: str = "fr") -> str:
    """`1990` -> `19,90 €` in French, `€19.90` in English."""
    if not isinstance(cents, int):
        raise TypeError("money is integer cents")
    return format_currency(cents / 100, currency, locale=locale)


def parse_price(text: str) -> int:
    """`"19,90"` or `"19.90"` -> 1990 cents; raises ValueError on anything else."""
    # French groups thousands with (narrow) no-break spaces: drop every kind of space.
    cleaned = "".join(text.split()).replace("€", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1:
        raise ValueError(text)
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
        raise ValueError(text)
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
