"""A gig quest's QR as fans meet it: an SVG for a screen held up to the crowd, and printable
posters (PNG at 300 dpi, or SVG sized in mm). Pure: no Flask, no database."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

# M rather than Q: from two metres a phone's preview gives each module only a few pixels,
# and for our 74-94 character URLs (40-60 character tokens) M needs version 5-6 (37-41
# modules a side) where Q needs 6-8 (41-49), so M's modules print up to 20% larger. A poster
# printed for the night needs M's 15% of repair (tape, a fold, a glare spot), not Q's 25%.
ERROR_CORRECTION = ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the symbol, the minimum the QR standard asks for
DPI = 300
PAGES_MM = {"a4": (210, 297), "a6": (105, 148)}
FORMATS = ("png", "svg")
MARGIN_MM = 6  # wider than most printers' unprintable border
# Pillow's built-in font (a subset of Aileron) has no accented letters: Genève would print
# as Gen□ve. Debian's fonts-dejavu-core (which fontconfig and chromium pull in) has them,
# and Pillow finds its files by name under /usr/share/fonts.
BOLD_FONT, REGULAR_FONT = "DejaVuSans-Bold.ttf", "DejaVuSans.ttf"
SVG_FONT_FAMILY = "DejaVu Sans, sans-serif"
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class PosterText:
    city: str  # each already translated
    date_line: str
    hint: str


@dataclass(frozen=True)
class _Line:
    text: str
    font: ImageFont.FreeTypeFont
    bold: bool
    baseline: int  # dots from the top of the page


@dataclass(frozen=True)
class _Layout:
    """Where everything goes, in dots at 300 dpi: one plan that PNG and SVG both draw."""

    page_mm: tuple[int, int]
    width: int
    height: int
    lines: tuple[_Line, ...]
    matrix: list[list[bool]]  # the QR's modules, quiet zone included
    box: int  # dots per module
    origin: tuple[int, int]  # the quiet zone's top-left corner


def qr_svg(url: str) -> str:
    """`url`'s QR as inline SVG, square and centred in whatever box contains it."""
    attributes = (
        f'xmlns="{SVG_NS}" width="100%" height="100%" role="img" aria-label={quoteattr(url)}'
    )
    return _qr_element(_matrix(url), attributes)


def render_poster(url: str, text: PosterText, *, size: str = "a4", fmt: str = "png") -> bytes:
    """A poster of `url`'s QR: an A4 reads from 2 m, an A6 (table, stand) at arm's length."""
    if size not in PAGES_MM:
        raise ValueError(f"unknown poster size {size!r}: choose one of {', '.join(PAGES_MM)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown poster format {fmt!r}: choose one of {', '.join(FORMATS)}")
    layout = _layout(url, text, PAGES_MM[size])
    return _png(layout) if fmt == "png" else _svg(layout)


def poster_format(filename: str) -> str:
    """The poster format that `filename`'s extension names, in any case: "png" or "svg"."""
    fmt = Path(filename).suffix.lower().removeprefix(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell a poster format from {filename!r}: end it in .png or .svg")
    return fmt


def _matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    qr.add_data(url)
    return qr.get_matrix()


def _qr_element(matrix: list[list[bool]], attributes: str) -> str:
    """An <svg> of the modules, one unit each, white under black: one path, a few kB."""
    side = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        for dark, modules in groupby(row):
            length = len(list(modules))
            if dark:
                runs.append(f"M{x} {y}h{length}v1h-{length}z")
            x += length
    # crispEdges: antialiased edges of adjacent runs would leave grey seams between rows.
    return (
        f'<svg {attributes} viewBox="0 0 {side} {side}">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000" shape-rendering="crispEdges"/></svg>'
    )


def _layout(url: str, text: PosterText, page_mm: tuple[int, int]) -> _Layout:
    """City and date over the QR, the hint under it, the QR as large as fits, all centred."""
    width, height = (_dots(mm) for mm in page_mm)
    margin = _dots(MARGIN_MM)
    room = width - 2 * margin
    city = _fitted(text.city, bold=True, size=round(width * 0.085), room=room)
    date = _fitted(text.date_line, bold=False, size=round(width * 0.04), room=room)
    hint = _fitted(text.hint, bold=False, size=round(width * 0.035), room=room)
    text_height = sum(sum(font.getmetrics()) for font in (city, date, hint))
    matrix = _matrix(url)
    # The quiet zone is blank paper, so it may reach into the margin: the symbol grows by
    # eight modules' worth, and its dark modules still stay four modules from the edge.
    box = min(width, height - 2 * margin - text_height) // len(matrix)
    side = box * len(matrix)
    city_line, top = _placed(text.city, city, True, (height - text_height - side) // 2)
    date_line, top = _placed(text.date_line, date, False, top)
    hint_line, _ = _placed(text.hint, hint, False, top + side)
    origin = ((width - side) // 2, top)
    return _Layout(page_mm, width, height, (city_line, date_line, hint_line), matrix, box, origin)


def _placed(text: str, font: ImageFont.FreeTypeFont, bold: bool, top: int) -> tuple[_Line, int]:
    """`text` on a line from `top` dots down, and where the next line would start."""
    ascent, descent = font.getmetrics()
    return _Line(text, font, bold, top + ascent), top + ascent + descent


def _dots(mm: float) -> int:
    return round(mm * DPI / 25.4)


def _fitted(text: str, *, bold: bool, size: int, room: int) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller until `text` fits in `room` dots."""
    font = _font(BOLD_FONT if bold else REGULAR_FONT, size)
    while font.getlength(text) > room:
        size = min(size - 1, int(size * room / font.getlength(text)))
        font = _font(BOLD_FONT if bold else REGULAR_FONT, size)
    return font


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(name, size)
    except OSError as error:
        raise OSError(f"posters need the font {name} (Debian: fonts-dejavu-core)") from error


def _png(layout: _Layout) -> bytes:
    page = Image.new("L", (layout.width, layout.height), 255)
    draw = ImageDraw.Draw(page)
    for line in layout.lines:
        centre = (layout.width // 2, line.baseline)
        draw.text(centre, line.text, font=line.font, fill=0, anchor="ms")
    side = len(layout.matrix)
    modules = Image.new("L", (side, side))
    modules.putdata([0 if dark else 255 for row in layout.matrix for dark in row])
    # Nearest neighbour by a whole factor: every module exactly `box` dots, no grey edges.
    page.paste(modules.resize((side * layout.box,) * 2, Image.Resampling.NEAREST), layout.origin)
    out = io.BytesIO()
    page.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def _svg(layout: _Layout) -> bytes:
    width_mm, height_mm = layout.page_mm
    # The viewBox counts the PNG's dots, so both formats draw one plan; 2480 by 3508 dots
    # is A4 to within 0.03 mm.
    parts = [
        f'<svg xmlns="{SVG_NS}" width="{width_mm}mm" height="{height_mm}mm" '
        f'viewBox="0 0 {layout.width} {layout.height}">',
        f'<rect width="{layout.width}" height="{layout.height}" fill="#fff"/>',
    ]
    for line in layout.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        parts.append(
            f'<text x="{layout.width // 2}" y="{line.baseline}" text-anchor="middle" '
            f'font-family="{SVG_FONT_FAMILY}" font-size="{line.font.size}"{weight}>'
            f"{escape(line.text)}</text>"
        )
    x, y = layout.origin
    side = layout.box * len(layout.matrix)
    parts.append(_qr_element(layout.matrix, f'x="{x}" y="{y}" width="{side}" height="{side}"'))
    parts.append("</svg>")
    return "\n".join(parts).encode()
