"""Demo media: covers, WAV sketches and download zips are valid, varied and reproducible."""

import sys
import wave
import zipfile
from array import array
from itertools import combinations, pairwise
from math import sqrt
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from storefront.demo.media import (
    SAMPLE_RATE,
    STYLES,
    excerpt,
    make_audio,
    make_cover,
    make_zip,
    render_audio,
)


def _cover(directory: Path, seed: int, *, title: str = "Grains de Sable", **kwargs) -> Path:
    path = directory / f"cover-{seed}-{len(title)}.jpg"
    make_cover(path, seed=seed, title=title, artist="Duo Granulaire", **kwargs)
    return path


def _grey(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("L")


def _mean_difference(first: Image.Image, second: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(first, second)).mean[0]


def _read_wav(path: Path) -> tuple[tuple[int, int, int, int], array]:
    """(channels, sample width, rate, frames) and the samples of a 16-bit WAV."""
    with wave.open(str(path)) as wav:
        header = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes())
        samples = array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return header, samples


def _rms(samples: array) -> float:
    return sqrt(sum(value * value for value in samples) / len(samples))


def _zero_crossings_per_second(samples: array) -> float:
    crossings = sum(1 for a, b in pairwise(samples) if (a < 0) != (b < 0))
    return crossings * SAMPLE_RATE / len(samples)


# --- covers ---


def test_cover_is_a_jpeg_of_the_asked_size(tmp_path):
    path = _cover(tmp_path, 0, size=320)

    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.mode == "RGB"
        assert image.size == (320, 320)


def test_cover_default_size_is_800(tmp_path):
    with Image.open(_cover(tmp_path, 1)) as image:
        assert image.size == (800, 800)


def test_cover_is_deterministic_for_a_seed(tmp_path):
    first = _cover(tmp_path / "first", 2, size=240)
    second = _cover(tmp_path / "second", 2, size=240)

    assert first.read_bytes() == second.read_bytes()


def test_covers_differ_between_seeds(tmp_path):
    # Seeds 0-3 take the four styles; seed 4 shares seed 0's style with other randomness.
    covers = {seed: _grey(_cover(tmp_path, seed, size=200)) for seed in range(5)}

    for first, second in combinations(covers, 2):
        assert _mean_difference(covers[first], covers[second]) > 8, (first, second)


def test_cover_has_a_motif_not_a_flat_background(tmp_path):
    for style in STYLES:
        image = _grey(_cover(tmp_path / style, 7, size=200, style=style))
        assert ImageStat.Stat(image).stddev[0] > 12, style


def test_cover_draws_accents_the_default_font_lacks(tmp_path):
    accented = _grey(_cover(tmp_path, 1, title="Retours de Scène", size=400))
    bare = _grey(_cover(tmp_path, 1, title="Retours de Scene", size=400))

    assert ImageChops.difference(accented, bare).getbbox() is not None


def test_cover_refuses_an_unknown_style(tmp_path):
    with pytest.raises(ValueError, match="style"):
        _cover(tmp_path, 0, size=100, style="polka")


# --- audio ---


@pytest.mark.parametrize("style", STYLES)
def test_audio_is_a_mono_16_bit_wav_of_the_asked_length(tmp_path, style):
    path = tmp_path / f"{style}.wav"
    make_audio(path, seed=3, seconds=2.5, style=style)

    header, samples = _read_wav(path)
    assert header == (1, 2, 22050, round(2.5 * 22050))
    assert len(samples) == header[3]


@pytest.mark.parametrize("style", STYLES)
def test_audio_is_audible_unclipped_and_faded(tmp_path, style):
    path = tmp_path / f"{style}.wav"
    make_audio(path, seed=5, seconds=3.0, style=style)

    _, samples = _read_wav(path)
    assert _rms(samples) > 1000
    assert max(map(abs, samples)) < 32767
    # The first and last 10 ms sit deep in the fades: no click when playback starts or ends.
    edge = SAMPLE_RATE // 100
    assert max(map(abs, samples[:edge])) < 1600
    assert max(map(abs, samples[-edge:])) < 1600


def test_audio_lasts_twelve_seconds_by_default(tmp_path):
    path = tmp_path / "preview.wav"
    make_audio(path, seed=0, style="rhythm")

    header, _ = _read_wav(path)
    assert header[3] == 12 * 22050


def test_audio_is_deterministic_for_a_seed_and_varies_between_seeds():
    first = render_audio(seed=9, seconds=1.5, style="grains")

    assert render_audio(seed=9, seconds=1.5, style="grains") == first
    assert render_audio(seed=10, seconds=1.5, style="grains") != first


def test_drone_is_low_and_slow_where_noise_is_bright():
    drone = render_audio(seed=1, seconds=3.0, style="drone")
    noise = render_audio(seed=1, seconds=3.0, style="noise")

    assert _zero_crossings_per_second(drone) * 3 < _zero_crossings_per_second(noise)


def test_excerpt_takes_the_asked_window_and_fades_its_edges():
    samples = render_audio(seed=4, seconds=6.0, style="drone")

    piece = excerpt(samples, start=2.0, seconds=3.0)

    assert len(piece) == 3 * SAMPLE_RATE
    middle = len(piece) // 2
    assert piece[middle] == samples[2 * SAMPLE_RATE + middle]
    assert abs(piece[0]) < 200
    assert abs(piece[-1]) < 200


def test_audio_refuses_an_unknown_style(tmp_path):
    with pytest.raises(ValueError, match="style"):
        make_audio(tmp_path / "x.wav", seed=0, seconds=1.0, style="polka")


# --- downloads ---


def test_zip_holds_every_file_under_its_name(tmp_path):
    track = tmp_path / "track.wav"
    make_audio(track, seed=0, seconds=1.0, style="drone")
    notes = tmp_path / "notes.txt"
    notes.write_text("Enregistré à Lyon.\n", encoding="utf-8")
    archive_path = tmp_path / "downloads" / "release.zip"

    make_zip(archive_path, {"01 Méridien zéro.wav": track, "notes.txt": notes})

    with zipfile.ZipFile(archive_path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["01 Méridien zéro.wav", "notes.txt"]
        assert archive.read("01 Méridien zéro.wav") == track.read_bytes()
        assert archive.read("notes.txt") == notes.read_bytes()
        assert archive.getinfo("01 Méridien zéro.wav").compress_type == zipfile.ZIP_STORED
