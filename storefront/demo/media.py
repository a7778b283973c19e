"""Demo media made from nothing: abstract covers, short WAV sketches and download zips.

Pure functions (standard library and Pillow only), deterministic for a given seed, so the
demo shop looks and sounds the same on every machine without shipping binary files.
"""

from __future__ import annotations

import math
import random
import sys
import unicodedata
import wave
import zipfile
from array import array
from collections.abc import Callable
from functools import cache
from itertools import accumulate, chain, repeat
from operator import add, mul, sub
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

# One visual and one sonic treatment per style, so a release's cover and previews rhyme.
STYLES = ("grains", "noise", "drone", "rhythm")
SAMPLE_RATE = 22050
FADE_SECONDS = 0.25
LABEL_NAME = "BRUIT BLANC"

# (background top, background bottom, ink, accent): muted paper tones, one loud colour each.
PALETTES = (
    ((232, 226, 212), (196, 186, 166), (38, 34, 30), (214, 84, 44)),
    ((22, 24, 30), (58, 40, 52), (236, 230, 220), (255, 70, 60)),
    ((28, 46, 58), (12, 18, 26), (210, 222, 214), (232, 190, 90)),
    ((240, 238, 232), (214, 218, 222), (24, 28, 36), (40, 92, 220)),
    ((84, 96, 70), (34, 40, 30), (236, 232, 210), (250, 210, 70)),
    ((150, 40, 40), (60, 16, 22), (246, 236, 224), (250, 250, 250)),
)

Color = tuple[int, int, int]
Motif = Callable[[ImageDraw.ImageDraw, random.Random, int, Color, Color], None]


# --- covers -----------------------------------------------------------------------------


def make_cover(
    path: Path, *, seed: int, title: str, artist: str, size: int = 800, style: str | None = None
) -> None:
    """Write a deterministic square JPEG cover; the style defaults to STYLES[seed % 4]."""
    style = style or STYLES[seed % len(STYLES)]
    if style not in _MOTIFS:
        raise ValueError(f"unknown cover style {style!r}; expected one of {STYLES}")
    rng = random.Random(f"cover:{seed}")
    top, bottom, ink, accent = rng.choice(PALETTES)
    image = _gradient(size, top, bottom, rng.uniform(0, 360)).convert("RGBA")
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    _MOTIFS[style](ImageDraw.Draw(layer), rng, size, ink, accent)
    _clear_text_zone(layer)
    image = Image.alpha_composite(image, layer.filter(ImageFilter.GaussianBlur(size / 1200)))
    image = _grain(_vignette(image.convert("RGB")), rng, size)
    _typeset(image, title=title, artist=artist, ink=ink, accent=accent)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=85, optimize=True)


def _gradient(size: int, top: Color, bottom: Color, angle: float) -> Image.Image:
    # Oversized then cropped so the rotated gradient has no empty corners.
    mask = Image.linear_gradient("L").resize((size * 2, size * 2)).rotate(angle)
    mask = mask.crop((size // 2, size // 2, size // 2 + size, size // 2 + size))
    return Image.composite(
        Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), mask
    )


def _clear_text_zone(layer: Image.Image) -> None:
    # Fade the motif out above the title so the type stays legible whatever the style.
    ramp = Image.linear_gradient("L").resize(layer.size)  # 0 at the top, 255 at the bottom
    keep = ramp.point(lambda v: 255 if v < 165 else max(0, 255 - (v - 165) * 6))
    layer.putalpha(ImageChops.multiply(layer.getchannel("A"), keep))


def _vignette(image: Image.Image) -> Image.Image:
    # Quadratic fall-off: the centre stays clean, the corners darken by up to half.
    mask = Image.radial_gradient("L").resize(image.size).point(lambda v: v * v // 512)
    return Image.composite(Image.new("RGB", image.size, (0, 0, 0)), image, mask)


def _grain(image: Image.Image, rng: random.Random, size: int) -> Image.Image:
    # Seeded bytes rather than Image.effect_noise, whose C generator ignores our seed.
    noise = Image.frombytes("L", (size, size), rng.randbytes(size * size))
    noise = Image.merge("RGB", (noise, noise, noise))
    return Image.blend(image, ImageChops.overlay(image, noise), 0.3)


def _dots(draw: ImageDraw.ImageDraw, rng: random.Random, size: int, ink: Color, accent: Color):
    """Granular clouds: thousands of grains gathered around a few drifting centres."""
    clouds = [(rng.uniform(0.2, 0.8) * size, rng.uniform(0.15, 0.65) * size) for _ in range(4)]
    for index in range(2200):
        cx, cy = clouds[index % len(clouds)]
        spread = size * rng.uniform(0.05, 0.22)
        x, y = rng.gauss(cx, spread), rng.gauss(cy, spread)
        radius = size * 0.002 * rng.lognormvariate(0.6, 0.7)
        colour = accent if rng.random() < 0.08 else ink
        box = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(box, fill=(*colour, rng.randint(90, 230)))


def _rings(draw: ImageDraw.ImageDraw, rng: random.Random, size: int, ink: Color, accent: Color):
    """Feedback: two families of concentric rings beating against each other (moiré)."""
    for colour, alpha in ((ink, 170), (accent, 150)):
        cx, cy = rng.uniform(0.3, 0.7) * size, rng.uniform(0.25, 0.55) * size
        step = size * rng.uniform(0.012, 0.022)
        width = max(1, round(step * rng.uniform(0.25, 0.45)))
        radius = step
        while radius < size * 0.9:
            box = (cx - radius, cy - radius, cx + radius, cy + radius)
            draw.ellipse(box, outline=(*colour, alpha), width=width)
            radius += step * rng.uniform(0.85, 1.25)


def _contours(draw: ImageDraw.ImageDraw, rng: random.Random, size: int, ink: Color, accent: Color):
    """Slow contour lines, like a map of a landscape that changes very slowly."""
    waves = [
        (rng.uniform(0.5, 3.0), rng.uniform(0, math.tau), rng.uniform(0.02, 0.06)) for _ in range(3)
    ]
    lines = rng.randint(34, 46)
    accent_line = rng.randrange(lines // 3, lines - 4)
    for line in range(lines):
        base, drift = size * (line + 0.5) / lines, 3 * line / lines
        points = [
            (x, base + size * _relief(waves, x / size, drift)) for x in range(-8, size + 9, 8)
        ]
        colour = (*accent, 230) if line == accent_line else (*ink, 150)
        draw.line(points, fill=colour, width=max(1, size // 400), joint="curve")


def _relief(waves: list[tuple[float, float, float]], u: float, drift: float) -> float:
    return sum(amp * math.sin(freq * math.tau * u + phase + drift) for freq, phase, amp in waves)


def _grid(draw: ImageDraw.ImageDraw, rng: random.Random, size: int, ink: Color, accent: Color):
    """A step sequencer: one Euclidean rhythm per row, bar heights as velocities."""
    rows, steps = rng.randint(7, 10), 16
    margin, cell = size * 0.08, size * 0.84 / 16
    for row in range(rows):
        pattern = _euclid(rng.randint(3, 9), steps, rng.randrange(steps))
        y = margin + row * cell * 1.15
        for step, hit in enumerate(pattern):
            x = margin + step * cell
            if not hit:  # a rest: a small dot keeps the grid readable
                rest = (x + cell * 0.42, y + cell * 0.42, x + cell * 0.58, y + cell * 0.58)
                draw.rectangle(rest, fill=(*ink, 90))
                continue
            top = y + cell * (1 - rng.uniform(0.35, 0.9))
            colour = accent if step % 4 == 0 else ink
            draw.rectangle(
                (x + cell * 0.12, top, x + cell * 0.88, y + cell * 0.9), fill=(*colour, 220)
            )


_MOTIFS: dict[str, Motif] = {"grains": _dots, "noise": _rings, "drone": _contours, "rhythm": _grid}


def _euclid(hits: int, steps: int, rotation: int = 0) -> list[bool]:
    """Spread `hits` onsets as evenly as possible over `steps` (Bjorklund's rhythm)."""
    pattern = [(index * hits) % steps < hits for index in range(steps)]
    return pattern[rotation:] + pattern[:rotation]


def _typeset(image: Image.Image, *, title: str, artist: str, ink: Color, accent: Color) -> None:
    size = image.width
    draw = ImageDraw.Draw(image)
    margin = size * 0.07
    title_font = _fitting_font(title, max_width=size - 2 * margin, start=round(size * 0.075))
    artist_font = ImageFont.load_default(size=max(8, round(size * 0.035)))
    small_font = ImageFont.load_default(size=max(6, round(size * 0.022)))
    artist_line = size - margin - size * 0.1
    _text(draw, (margin, size - margin), title, title_font, ink)
    _text(draw, (margin, artist_line), artist.upper(), artist_font, ink)
    # The label sits in the clear band too: busy motifs would swallow it in a corner.
    label_width = small_font.getlength(LABEL_NAME)
    _text(draw, (size - margin - label_width, artist_line), LABEL_NAME, small_font, accent)


def _fitting_font(text: str, *, max_width: float, start: int) -> ImageFont.FreeTypeFont:
    size = start
    while size > 8 and ImageFont.load_default(size=size).getlength(_bare(text)) > max_width:
        size -= 2
    return ImageFont.load_default(size=size)


# Pillow's embedded font has no accented letters but has spacing accents: the bare letter
# is drawn and its accent set above (or under) it, so "Électro" never shows a missing-glyph
# box. Marks without a decent spacing glyph (circumflex, diaeresis) are left off.
_SPACING_MARKS = {"\u0301": "\u00b4", "\u0300": "`", "\u0327": ","}
_CEDILLA = "\u0327"


def _bare(text: str) -> str:
    return "".join(unicodedata.normalize("NFD", char)[0] for char in text)


def _ink_box(font: ImageFont.FreeTypeFont, text: str) -> tuple[int, int, int, int]:
    # getbbox() reports the line's ascent for marks, so measure the rendered pixels instead.
    mask, (dx, dy) = font.getmask2(text, anchor="ls")
    left, top, right, bottom = mask.getbbox() or (0, 0, 0, 0)
    return left + dx, top + dy, right + dx, bottom + dy


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font, fill) -> None:
    x, baseline = xy
    bare = _bare(text)
    draw.text((x, baseline), bare, font=font, fill=fill, anchor="ls")
    for index, char in enumerate(text):
        for mark in unicodedata.normalize("NFD", char)[1:]:
            left = x + font.getlength(bare[:index])
            _accent(draw, font, mark, (left, baseline), _ink_box(font, bare[index]), fill)


def _accent(draw, font, mark: str, origin: tuple[float, float], letter_box, fill) -> None:
    if mark not in _SPACING_MARKS:
        return
    left, baseline = origin
    glyph = _SPACING_MARKS[mark]
    box, gap = _ink_box(font, glyph), font.size * 0.06
    x = left + (letter_box[0] + letter_box[2]) / 2 - (box[0] + box[2]) / 2
    under, above = baseline + gap - box[1], baseline + letter_box[1] - gap - box[3]
    y = under if mark == _CEDILLA else above
    draw.text((x, y), glyph, font=font, fill=fill, anchor="ls")


# --- audio ------------------------------------------------------------------------------
# Pure Python is slow per sample, so signals are built from small precomputed pieces
# (grains, periods, envelopes) combined with map(operator...) which loops in C.


def make_audio(path: Path, *, seed: int, seconds: float = 12.0, style: str) -> None:
    """Write a deterministic mono 16-bit 22050 Hz WAV sketch of the given style."""
    write_wav(path, render_audio(seed=seed, seconds=seconds, style=style))


def render_audio(*, seed: int, seconds: float, style: str) -> array:
    """Return the normalised 16-bit samples of a sketch, faded in and out."""
    if style not in _VOICES:
        raise ValueError(f"unknown audio style {style!r}; expected one of {STYLES}")
    length = max(1, round(seconds * SAMPLE_RATE))
    rng = random.Random(f"audio:{style}:{seed}")
    signal = _VOICES[style](rng, length)
    _fade(signal)
    peak = max(max(signal), -min(signal)) or 1.0
    return array("h", map(int, map(mul, signal, repeat(0.8 * 32767 / peak))))


def excerpt(samples: array, *, start: float, seconds: float) -> array:
    """Return `seconds` of samples beginning `start` seconds in, faded in and out."""
    begin = round(start * SAMPLE_RATE)
    piece = samples[begin : begin + round(seconds * SAMPLE_RATE)]
    _fade(piece)
    return piece


def write_wav(path: Path, samples: array) -> None:
    """Write 16-bit samples as a mono WAV at SAMPLE_RATE."""
    if sys.byteorder == "big":  # WAV is little-endian
        samples = array("h", samples)
        samples.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())


def _mix(out: list[float], at: int, sound: list[float], gain: float = 1.0) -> None:
    end = min(len(out), at + len(sound))
    if end <= at:
        return
    piece = sound[: end - at] if gain == 1.0 else list(map(mul, sound[: end - at], repeat(gain)))
    out[at:end] = map(add, out[at:end], piece)


def _fade(signal: list[float] | array) -> None:
    """Ramp the edges in from and out to silence, in place; only the edges are touched."""
    length = min(round(FADE_SECONDS * SAMPLE_RATE), len(signal) // 4)
    if length <= 0:
        return
    ramp = [index / length for index in range(length)]
    head = map(mul, signal[:length], ramp)
    tail = map(mul, signal[-length:], reversed(ramp))
    if isinstance(signal, array):  # an array slice only accepts an array of its own type
        head, tail = array(signal.typecode, map(int, head)), array(signal.typecode, map(int, tail))
    signal[:length] = head
    signal[-length:] = tail


def _sine_grain(freq: float, length: int) -> list[float]:
    """A sine under a Hann window: the atom of granular synthesis."""
    step, window = math.tau * freq / SAMPLE_RATE, math.pi / length
    return [math.sin(step * i) * math.sin(window * i) ** 2 for i in range(length)]


@cache  # the same few envelopes serve every track; a tuple keeps the cached copy intact
def _decay(length: int, time_constant: float) -> tuple[float, ...]:
    rate = 1.0 / (time_constant * SAMPLE_RATE)
    return tuple(math.exp(-rate * i) for i in range(length))


def _noise(rng: random.Random, length: int, smooth: int = 1) -> list[float]:
    """White noise in [-1, 1], low-passed by a moving average of `smooth` samples."""
    raw = array("b", rng.randbytes(length + smooth - 1))
    if smooth == 1:
        return list(map(mul, raw[:length], repeat(1 / 128)))
    summed = list(accumulate(raw, initial=0))
    return list(map(mul, map(sub, summed[smooth:], summed[:-smooth]), repeat(1 / (128 * smooth))))


def _envelope(shape: Callable[[float], float], length: int, block: int = 256) -> list[float]:
    """`shape` over [0, 1) stretched to `length` samples, evaluated once per block."""
    coarse = [shape(i * block / length) for i in range(length // block + 1)]
    return list(chain.from_iterable(repeat(value, block) for value in coarse))[:length]


def _tiled_sine(period: int, length: int, gain: float = 1.0) -> list[float]:
    # Whole-sample periods can be repeated exactly; neighbouring periods beat slowly.
    cycle = [gain * math.sin(math.tau * i / period) for i in range(period)]
    return (cycle * (length // period + 1))[:length]


def _grains(rng: random.Random, length: int) -> list[float]:
    """Sine grains and clicks scattered in clouds whose density breathes."""
    out = [0.0] * length
    scale = [
        rng.choice((220, 247, 262, 294, 330, 392, 440)) * 2 ** rng.randint(0, 2) for _ in range(6)
    ]
    atoms = [_sine_grain(freq, rng.randint(300, 2200)) for freq in scale]
    atoms.append([1.0, -0.8, 0.5, -0.2])  # a click
    position = 0
    while position < length:
        density = 8 + 30 * (0.5 + 0.5 * math.sin(math.tau * position / (SAMPLE_RATE * 6)))
        _mix(out, position, rng.choice(atoms), rng.uniform(0.2, 1.0))
        position += 1 + int(rng.expovariate(density) * SAMPLE_RATE)
    return out


def _bursts(rng: random.Random, length: int) -> list[float]:
    """Filtered noise bursts, dark and bright, with a feedback whistle now and then."""
    out = [0.0] * length
    # Bursts are at most 1.2 s long, so they read at random from 3 s of each noise colour.
    colours = [_noise(rng, SAMPLE_RATE * 3, smooth) for smooth in (1, 4, 24)]
    shapes = [_decay(round(SAMPLE_RATE * seconds), seconds / 4) for seconds in (0.15, 0.5, 1.2)]
    position = 0
    while position < length:
        shape, colour = rng.choice(shapes), rng.choice(colours)
        start = rng.randrange(len(colour) - len(shape))
        burst = list(map(mul, colour[start : start + len(shape)], shape))
        _mix(out, position, burst, rng.uniform(0.3, 1.0))
        position += int(rng.uniform(0.12, 0.9) * SAMPLE_RATE)
    whistle = _tiled_sine(rng.choice((18, 21, 25)), SAMPLE_RATE * 2)
    whistle = list(map(mul, whistle, _envelope(lambda u: math.sin(math.pi * u) ** 2, len(whistle))))
    for _ in range(max(1, length // (SAMPLE_RATE * 6))):
        _mix(out, rng.randrange(length), whistle, 0.25)
    return out


def _drone(rng: random.Random, length: int) -> list[float]:
    """Sines a hair apart beating slowly, under a swell of several seconds and a dark hiss."""
    period = rng.choice((160, 180, 200, 220, 240))
    # Root, octave and fifth, each doubled one sample longer so the pair beats slowly.
    # Chained lazy maps sum every partial in a single pass instead of one list per partial.
    mixed = repeat(0.0, length)
    for partial, gain in ((period, 1.0), (period // 2, 0.45), (period * 2 // 3, 0.35)):
        mixed = map(add, mixed, _tiled_sine(partial, length, gain))
        mixed = map(add, mixed, _tiled_sine(partial + 1, length, gain * 0.85))
    cycles = length / (rng.uniform(5, 9) * SAMPLE_RATE)
    swell = _envelope(lambda u: 0.55 + 0.45 * math.sin(math.tau * cycles * u), length)
    hiss = _noise(rng, min(length, round(SAMPLE_RATE * 3.7)), smooth=32)
    hiss = list(map(mul, hiss, repeat(0.15))) * (length // len(hiss) + 1)
    return list(map(add, map(mul, mixed, swell), hiss))


def _rhythm(rng: random.Random, length: int) -> list[float]:
    """Kick, hat and blip on sixteenth notes, each following its own Euclidean pattern."""
    step = round(SAMPLE_RATE * 60 / rng.randint(100, 128) / 4)
    kick_len = SAMPLE_RATE // 4
    phase = accumulate(
        math.tau * (45 + 110 * math.exp(-i / 900)) / SAMPLE_RATE for i in range(kick_len)
    )
    kick = list(map(mul, map(math.sin, phase), _decay(kick_len, 0.07)))
    hat = list(map(mul, _noise(rng, SAMPLE_RATE // 20), _decay(SAMPLE_RATE // 20, 0.01)))
    blip = _sine_grain(rng.choice((660, 880, 990)), SAMPLE_RATE // 12)
    voices = [
        (kick, _euclid(rng.randint(3, 5), 16), 1.0),
        (hat, _euclid(rng.randint(7, 11), 16, rng.randrange(16)), 0.35),
        (blip, _euclid(rng.randint(2, 5), 16, rng.randrange(16)), 0.4),
    ]
    out = [0.0] * length
    for index, at in enumerate(range(0, length, step)):
        for sound, pattern, gain in voices:
            if pattern[index % 16]:
                accent = 1.0 if index % 4 == 0 else rng.uniform(0.5, 0.85)
                _mix(out, at, sound, gain * accent)
    return out


Voice = Callable[[random.Random, int], list[float]]
_VOICES: dict[str, Voice] = {
    "grains": _grains,
    "noise": _bursts,
    "drone": _drone,
    "rhythm": _rhythm,
}


# --- downloads --------------------------------------------------------------------------


def make_zip(path: Path, files: dict[str, Path]) -> None:
    """Write a zip holding each file under its given archive name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, source in files.items():
            # WAV noise barely deflates: storing it keeps building and serving the zip cheap.
            stored = source.suffix.lower() in {".wav", ".jpg", ".jpeg", ".png", ".zip"}
            archive.write(
                source, name, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
