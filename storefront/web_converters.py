"""URL converters: a number in an address is an id only if the database can hold it."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from storefront.ids import MAX_ID


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` bounded to the database's integer: a larger number is a 404, not a 500."""

    # Werkzeug's \d+ also matches other scripts' digits ("١٢"); ids are written in ASCII.
    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def install_converters(app: Flask) -> None:
    """Replace `int` in every route; must run before the blueprints' routes are added."""
    app.url_map.converters["int"] = DatabaseIdConverter
