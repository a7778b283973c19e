"""Numbers people send where the database expects an id: bounded, or refused."""

from __future__ import annotations

import re

# Every primary key is an INTEGER (32 bits on PostgreSQL): nothing larger is anyone's id,
# and sending it to the database would overflow instead of finding nothing.
MAX_ID = 2**31 - 1
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(value: str | int) -> int:
    """An id (or page number) from a form, a cookie or a query: 1 to MAX_ID, else ValueError."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        raise ValueError(f"not an id: {value!r}")
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


def parse_optional_id(value: str | int | None) -> int | None:
    """Like parse_id, but 0, "0" and None mean "none" (a product without sizes)."""
    if value in (0, "0", None):
        return None
    return parse_id(value)
