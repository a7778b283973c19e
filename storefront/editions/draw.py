"""The provably fair draw, free of Flask and the database. Anyone can replay it.

Before sales open the shop publishes `commitment = sha256(server_seed).hexdigest()`.
The k-th event of an edition (k = 1, 2, ...) that draws a copy computes

    r = int.from_bytes(hmac_sha256(key=server_seed, msg=f"{client_seed}:{k}".encode()), "big")

lists the copies still in the box in canonical order (variant position, then number)
and takes the one at index r % len(remaining). A released copy (a refund before
shipping) goes back in the box; the release takes a sequence number too.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CopyRef:
    """One numbered copy: (variant position, number) orders the box canonically."""

    variant_position: int
    number: int


@dataclass(frozen=True)
class LogEntry:
    sequence: int
    kind: str  # "draw" or "release"
    client_seed: str
    copy: CopyRef


class ReplayMismatch(Exception):
    """The log does not follow from the seed: a draw, a release or the commitment differs."""


def commitment(server_seed: bytes) -> str:
    return hashlib.sha256(server_seed).hexdigest()


def draw_value(server_seed: bytes, client_seed: str, sequence: int) -> int:
    digest = hmac.new(server_seed, f"{client_seed}:{sequence}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def pick(
    server_seed: bytes, client_seed: str, sequence: int, remaining: Iterable[CopyRef]
) -> CopyRef:
    """The copy drawn at `sequence` from the copies still in the box."""
    box = sorted(remaining)
    if not box:
        raise ValueError("no copy left to draw")
    return box[draw_value(server_seed, client_seed, sequence) % len(box)]


def full_box(counts: list[int]) -> set[CopyRef]:
    """Every copy of an edition whose variants (by position) have these counts."""
    return {
        CopyRef(position, number)
        for position, count in enumerate(counts)
        for number in range(1, count + 1)
    }


def replay(server_seed: bytes, counts: list[int], log: list[LogEntry]) -> set[CopyRef]:
    """Check every entry of the log; returns the copies still in the box, or raises."""
    box = full_box(counts)
    for expected, entry in enumerate(log, start=1):
        if entry.sequence != expected:
            raise ReplayMismatch(f"sequence {entry.sequence} where {expected} was due")
        if entry.kind == "draw":
            drawn = pick(server_seed, entry.client_seed, entry.sequence, box)
            if drawn != entry.copy:
                raise ReplayMismatch(
                    f"draw {entry.sequence} gives {drawn}, the log says {entry.copy}"
                )
            box.remove(drawn)
        elif entry.kind == "release":
            if entry.copy in box or entry.copy not in full_box(counts):
                raise ReplayMismatch(f"release {entry.sequence} of a copy not drawn: {entry.copy}")
            box.add(entry.copy)
        else:
            raise ReplayMismatch(f"unknown entry kind {entry.kind!r}")
    return box


def insert_positions(server_seed: bytes, pool_key: str, run: int, count: int) -> list[int]:
    """`count` positions in 1..run, one drawn in each of `count` equal blocks of the run,
    so inserts are neither all early nor all late."""
    if not 0 <= count <= run:
        raise ValueError("a pool cannot hold more inserts than the run has places")
    positions = []
    for block in range(count):
        start, end = block * run // count, (block + 1) * run // count
        offset = draw_value(server_seed, f"insert:{pool_key}", block + 1) % (end - start)
        positions.append(start + offset + 1)
    return positions
