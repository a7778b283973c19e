"""CSV files the label opens in a spreadsheet: one header line, and no cell that a
spreadsheet would run as a formula (a name typed as "=HYPERLINK(...)" stays text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def unescaped(value: str) -> str:
    """A cell read back from one of our files (or one a label made from it) as it was
    before its formula guard: "'-K7QD" -> "-K7QD"."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text (RFC 4180 line ends) under `header`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_download(text: str, filename: str) -> Response:
    """`text` as a CSV file the browser saves under `filename`."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
