"""Quest QRs as a phone meets them: posters read by a real decoder (zxing-cpp), and the screen
QR as headless Chromium draws it."""

import io
import os
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace

import pytest
import zxingcpp
from PIL import Image

from storefront.quests import posters
from storefront.quests.posters import PosterText, poster_format, qr_svg, render_poster

URL = "https://shop.bruitblanc.example/q/WzMsMSwyOTQ2MTIzNF0.Xq3vP1cR0d9aLq2bHk4mYw8sT"
TEXT = PosterText(
    city="Genève", date_line="Zürich, sam. 12 déc. 2026", hint="“Scannez-moi” pour la quête"
)
SVG = "{http://www.w3.org/2000/svg}"
NO_GLYPH = "\U0010fffd"  # a private-use code point no font draws: it prints as a box
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def poster_image(size: str) -> Image.Image:
    return Image.open(io.BytesIO(render_poster(URL, TEXT, size=size)))


def symbol_bounds(image: Image.Image, code: zxingcpp.Barcode) -> tuple[int, int, int, int]:
    """The box around the symbol's dark modules, looked for just around where zxing saw it."""
    corners = (at := code.position).top_left, at.top_right, at.bottom_left, at.bottom_right
    xs, ys = [c.x for c in corners], [c.y for c in corners]
    left, top = min(xs) - 20, min(ys) - 20  # 20 px: well inside the quiet zone, text is beyond
    region = image.crop((left, top, max(xs) + 20, max(ys) + 20))
    x0, y0, x1, y1 = region.point(lambda v: 255 if v < 128 else 0).getbbox()
    return left + x0, top + y0, left + x1, top + y1


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_a_png_poster_reads_as_exactly_the_quest_url_at_level_m(size):
    codes = zxingcpp.read_barcodes(poster_image(size))
    assert [(code.format, code.text, code.ec_level) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, URL, "M")
    ]


@pytest.mark.parametrize(("size", "pixels"), [("a4", (2480, 3508)), ("a6", (1240, 1748))])
def test_a_png_poster_is_its_paper_size_at_300_dpi(size, pixels):
    image = poster_image(size)
    assert image.size == pixels
    assert tuple(round(dpi) for dpi in image.info["dpi"]) == (300, 300)


@pytest.mark.parametrize(("size", "module", "modules"), [("a4", 55, 37), ("a6", 27, 37)])
def test_png_modules_are_whole_pixels_with_a_four_module_quiet_zone(size, module, modules):
    image = poster_image(size)
    (code,) = zxingcpp.read_barcodes(image)
    left, top, right, bottom = symbol_bounds(image, code)
    symbol = image.crop((left, top, right, bottom))
    finder_edge = next(x for x in range(symbol.width) if symbol.getpixel((x, 0)) == 255)

    assert 17 + 4 * int(code.extra["Version"]) == modules
    assert finder_edge == 7 * module  # the finder pattern's top edge is 7 modules long
    assert (symbol.width, symbol.height) == (modules * module, modules * module)
    assert {value for _count, value in symbol.getcolors()} == {0, 255}  # sharp: no grey
    quiet = image.crop(
        (left - 4 * module, top - 4 * module, right + 4 * module, bottom + 4 * module)
    )
    assert quiet.point(lambda v: 255 if v < 128 else 0).getbbox() == (
        4 * module,
        4 * module,
        quiet.width - 4 * module,
        quiet.height - 4 * module,
    )
    assert left >= 4 * module and right + 4 * module <= image.width


def test_an_a4_poster_qr_is_wide_enough_to_read_from_two_metres():
    image = poster_image("a4")
    (code,) = zxingcpp.read_barcodes(image)
    left, _top, right, _bottom = symbol_bounds(image, code)
    width_mm = (right - left) / 300 * 25.4
    assert width_mm >= 170  # the 10:1 rule asks for 200 mm at 2 m; A4 allows ~172 mm
    assert round(width_mm, 1) == 172.3


def test_accents_and_curly_quotes_print_as_letters_not_boxes():
    poster = render_poster(URL, TEXT, size="a6")
    boxed = [
        (field, letter)
        for field, value in asdict(TEXT).items()
        for letter in sorted({char for char in value if not char.isascii()})
        if render_poster(URL, replace(TEXT, **{field: value.replace(letter, NO_GLYPH)}), size="a6")
        == poster
    ]
    assert boxed == []


def test_a_poster_without_its_font_says_which_package_brings_it(monkeypatch):
    monkeypatch.setattr(posters, "BOLD_FONT", "NoSuchSans-Bold.ttf")
    with pytest.raises(OSError, match=r"NoSuchSans-Bold\.ttf \(Debian: fonts-dejavu-core\)"):
        render_poster(URL, TEXT)


@pytest.mark.parametrize(
    ("size", "width", "height"), [("a4", "210mm", "297mm"), ("a6", "105mm", "148mm")]
)
def test_an_svg_poster_is_sized_in_mm_with_its_text_escaped(size, width, height):
    text = replace(TEXT, city="Saint-Gilles & <Forest>")
    svg = render_poster(URL, text, size=size, fmt="svg")
    root = ET.fromstring(svg)
    assert (root.tag, root.get("width"), root.get("height")) == (f"{SVG}svg", width, height)
    assert [line.text for line in root.iter(f"{SVG}text")] == [
        "Saint-Gilles & <Forest>",
        TEXT.date_line,
        TEXT.hint,
    ]
    assert b">Saint-Gilles &amp; &lt;Forest&gt;</text>" in svg


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"size": "letter"}, "unknown poster size 'letter': choose one of a4, a6"),
        ({"fmt": "pdf"}, "unknown poster format 'pdf': choose one of png, svg"),
    ],
)
def test_an_unknown_poster_size_or_format_is_refused(options, message):
    with pytest.raises(ValueError) as error:
        render_poster(URL, TEXT, **options)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("filename", "fmt"), [("geneve.png", "png"), ("Genève-A6.SVG", "svg"), ("out/Q.Png", "png")]
)
def test_a_poster_file_name_tells_its_format(filename, fmt):
    assert poster_format(filename) == fmt


@pytest.mark.parametrize("filename", ["geneve.pdf", "geneve", "png", "geneve.png.txt"])
def test_a_file_name_without_png_or_svg_is_refused(filename):
    with pytest.raises(ValueError, match=r"end it in \.png or \.svg"):
        poster_format(filename)


def test_the_screen_qr_is_one_small_inline_svg_labelled_with_its_url():
    svg = qr_svg(URL)
    root = ET.fromstring(svg)
    assert svg.startswith("<svg ")  # no XML declaration: it goes inside a page
    assert {name: root.get(name) for name in ("viewBox", "role", "aria-label")} == {
        "viewBox": "0 0 45 45",  # version 5 (37 modules) and 4 of quiet zone each side
        "role": "img",
        "aria-label": URL,
    }
    assert [child.tag for child in root] == [f"{SVG}rect", f"{SVG}path"]
    assert len(svg.encode()) < 6_000  # qrcode's own path factory makes 10.8 kB of it


@pytest.fixture
def chromium():
    """Debian's Chromium, as tests/browser uses it (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `make test` installs Debian's package")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    return CHROMIUM


def screenshot(chromium: str, html: str, *, width: int, height: int, scale: float):
    """`html` in headless Chromium: the screenshot, and where the page's <svg> sits."""

    def shoot():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
            page.set_content(html)
            shot = page.screenshot(), page.locator("svg").bounding_box()
            browser.close()
            return shot

    # A thread of its own: tests/browser keeps a sync Playwright open on the main thread for
    # the whole session, and a second one refuses to start beside it there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        png, box = pool.submit(shoot).result()
    return Image.open(io.BytesIO(png)), box


@pytest.mark.browser
@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(1366, 768, 1), (412, 915, 2.625)],  # a laptop held up, a phone (Pixel 7)
    ids=["laptop", "phone"],
)
def test_the_screen_qr_fills_the_screen_and_reads_as_the_url(chromium, width, height, scale):
    html = f'<body style="margin:0"><main style="width:100vw;height:100vh">{qr_svg(URL)}</main>'
    image, box = screenshot(chromium, html, width=width, height=height, scale=scale)
    assert box == {"x": 0, "y": 0, "width": width, "height": height}
    codes = zxingcpp.read_barcodes(image)
    assert [(code.text, code.ec_level) for code in codes] == [(URL, "M")]
