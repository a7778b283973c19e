"""Files the label uploads: covers, audio previews, downloads, full tracks and rewards.

A file is judged by its bytes, not its name: covers must open in Pillow, audio, video and
zips must start with the right magic bytes. Accepted files get a random name, so nothing the
uploader chose reaches the disk, and are stored by path relative to their root folder.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage
from wtforms import ValidationError

IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
AUDIO_SUFFIXES = {".mp3": ".mp3", ".ogg": ".ogg", ".oga": ".ogg", ".wav": ".wav", ".flac": ".flac"}
VIDEO_SUFFIXES = {".mp4": ".mp4", ".m4v": ".mp4", ".webm": ".webm"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with files, an empty zip
EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # Matroska and WebM


class UploadRefused(Exception):
    """The file is not of an accepted type or size; `message` says so to the uploader."""

    def __init__(self, message) -> None:
        self.message = str(message)
        super().__init__(self.message)


def _sniff_image(stream: IO[bytes], filename: str) -> str:
    # Pillow only tries the three accepted decoders; a decompression bomb is refused too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream, formats=list(IMAGE_SUFFIXES)) as image:
                suffix = IMAGE_SUFFIXES[image.format or ""]
                image.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            KeyError,
        ):
            raise UploadRefused(_l("This is not a JPEG, PNG or WebP image.")) from None
        except (OSError, SyntaxError, ValueError):
            raise UploadRefused(_l("This image is damaged or incomplete.")) from None
    return suffix


def _audio_type(stream: IO[bytes]) -> str | None:
    """The suffix of the audio type the first bytes show (.mp3 .ogg .wav .flac), or None."""
    head = stream.read(12)
    if head.startswith(b"ID3") and len(head) >= 10:
        # An ID3 tag may precede MP3 or FLAC data: look at what comes after it.
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        stream.seek(10 + size)
        after = stream.read(4)
        return ".flac" if after.startswith(b"fLaC") else ".mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return ".mp3"
    if head.startswith(b"OggS"):
        return ".ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return ".wav"
    if head.startswith(b"fLaC"):
        return ".flac"
    return None


def _sniff_audio(stream: IO[bytes], filename: str) -> str:
    named = AUDIO_SUFFIXES.get(os.path.splitext(filename.lower())[1])
    if named is None or _audio_type(stream) != named:
        raise UploadRefused(_l("Upload an MP3, OGG, WAV or FLAC audio file."))
    return named


def _video_type(stream: IO[bytes]) -> str | None:
    """The suffix of the video type the first bytes show (.mp4 .webm), or None."""
    head = stream.read(64)
    if head[4:8] == b"ftyp":
        return ".mp4"
    if head.startswith(EBML_MAGIC) and b"webm" in head:
        return ".webm"
    return None


def sniff_media(stream: IO[bytes], filename: str) -> str:
    """The suffix of a video or audio file whose content matches its name, or UploadRefused."""
    suffix = os.path.splitext(filename.lower())[1]
    if suffix in VIDEO_SUFFIXES:
        named, found = VIDEO_SUFFIXES[suffix], _video_type(stream)
    else:
        named, found = AUDIO_SUFFIXES.get(suffix), _audio_type(stream)
    if named is None or found != named:
        message = _l("Upload a video (MP4, WebM) or an audio file (MP3, OGG, WAV, FLAC).")
        raise UploadRefused(message)
    return named


def _sniff_zip(stream: IO[bytes], filename: str) -> str:
    if not filename.lower().endswith(".zip") or stream.read(4) not in ZIP_MAGIC:
        raise UploadRefused(_l("Upload a .zip file."))
    return ".zip"


@dataclass(frozen=True)
class UploadKind:
    folder: str
    root_setting: str  # MEDIA_DIR (served publicly) or PRIVATE_DIR (never served as is)
    max_setting: str  # the config key holding the size limit in bytes
    sniff: Callable[[IO[bytes], str], str]  # the suffix to store under, or UploadRefused


COVER = UploadKind("covers", "MEDIA_DIR", "COVER_MAX_BYTES", _sniff_image)
PREVIEW = UploadKind("previews", "MEDIA_DIR", "AUDIO_MAX_BYTES", _sniff_audio)
# Downloads are paid for: they live outside MEDIA_DIR and are only served via grants.
DOWNLOAD = UploadKind("downloads", "PRIVATE_DIR", "DOWNLOAD_MAX_BYTES", _sniff_zip)
# Full-length tracks backers download early, and campaign rewards: private too.
TRACK_FILE = UploadKind("tracks", "PRIVATE_DIR", "AUDIO_MAX_BYTES", _sniff_audio)
REWARD = UploadKind("rewards", "PRIVATE_DIR", "REWARD_MAX_BYTES", sniff_media)
# A gig's fragment: only fans holding that night's stamp get a link to it.
FRAGMENT_AUDIO = UploadKind("fragments", "PRIVATE_DIR", "AUDIO_MAX_BYTES", _sniff_audio)
FRAGMENT_IMAGE = UploadKind("fragments", "PRIVATE_DIR", "COVER_MAX_BYTES", _sniff_image)


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(storage: FileStorage, kind: UploadKind) -> str:
    """The suffix to store `storage` under; raises UploadRefused when the file is refused."""
    limit = current_app.config[kind.max_setting]
    stream = storage.stream
    if limit and _size_of(stream) > limit:
        message = _l("This file is too large: the limit is %(size)s.", size=describe_size(limit))
        raise UploadRefused(message)
    try:
        return kind.sniff(stream, storage.filename or "")
    finally:
        stream.seek(0)


def describe_size(size: int) -> str:
    """A size limit for people, in the page's language: "1 GB", "8 MB", "200 KB"; in
    French "1 Go", "1,5 Mo"."""
    if size >= 1024**3:
        return _("%(size)s GB", size=_amount(size / 1024**3))
    if size >= 1024**2:
        return _("%(size)s MB", size=_amount(size / 1024**2))
    if size >= 1024:
        return _("%(size)s KB", size=_amount(size / 1024))
    return ngettext("%(num)d byte", "%(num)d bytes", size)


def _amount(value: float) -> str:
    return format_decimal(value, format="0.##")


class Upload:
    """WTForms validator: the file, if any, is of `kind`; notes its suffix on the field."""

    def __init__(self, kind: UploadKind) -> None:
        self.kind = kind

    def __call__(self, form, field) -> None:
        field.upload_suffix = None
        if not isinstance(field.data, FileStorage):
            return
        try:
            field.upload_suffix = check_upload(field.data, self.kind)
        except UploadRefused as refused:
            raise ValidationError(refused.message) from None


class UploadBatch:
    """Files stored for one form; `discard` removes them when the edit is refused."""

    def __init__(self) -> None:
        self.stored: list[Path] = []

    def save(self, field, kind: UploadKind) -> str | None:
        """Store the field's checked file; its path relative to the kind's root, or None."""
        suffix = getattr(field, "upload_suffix", None)
        if not suffix:
            return None
        root = Path(current_app.config[kind.root_setting])
        relative = f"{kind.folder}/{secrets.token_hex(16)}{suffix}"
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        field.data.stream.seek(0)
        field.data.save(target)
        self.stored.append(target)
        return relative

    def discard(self) -> None:
        for path in self.stored:
            path.unlink(missing_ok=True)
        self.stored.clear()
