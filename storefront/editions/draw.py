"""The shop's provably fair draw, and the verifier anyone can run on it.

One file, Python 3.11 or later, standard library only. The shop draws with this very
module and serves it at /editions/verify.py, so a fan checks the code that drew:

    python verify.py https://shop.example/api/v1/editions/1/fairness
    python verify.py https://shop.example/api/v1/releases/some-slug/campaign

Before sales open the shop publishes `commitment = sha256(server_seed).hexdigest()`.
The k-th event of an edition (k = 1, 2, ...) that draws a copy computes

    r = int.from_bytes(hmac_sha256(key=server_seed, msg=f"{client_seed}:{k}".encode()), "big")

lists the copies still in the box in canonical order (variant position, then number)
and takes the one at index r % len(remaining). A released copy (a refund before
shipping) goes back in the box; the release takes a sequence number too.

An insert pool of K items over a run of N places (an edition's draws, or a campaign's
paid orders) draws one position in each block b = 1..K of places (b-1)*N//K + 1 to
b*N//K: the one at index r % (block length), r computed as above with client seed
f"insert:{key}" and k = b. The n-th place gets an insert when n is a position, except
an edition's draw of a copy that already carries one (put back in the box, it kept it).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

# Only the standard library here: fans run this file alone, and `import storefront.editions
# .draw` must not load Flask (tests/unit/test_draw.py checks both).


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
            if not box:
                raise ReplayMismatch(f"draw {entry.sequence} from an empty box")
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


def positions_reached(
    server_seed: bytes, pool_key: str, run: int, count: int, reached: int
) -> list[int]:
    """The pool's positions among the first `reached` places of its run: exactly the
    places that must have got an insert once that many are taken."""
    return [p for p in insert_positions(server_seed, pool_key, run, count) if p <= reached]


def copy_insert_places(
    server_seed: bytes, pool_key: str, run: int, count: int, drawn: list[CopyRef]
) -> list[int]:
    """The places of an edition's run that got an insert of the pool, `drawn` being the
    copies of its draws in order: the n-th draw when n is a position, unless its copy
    already carries one (a copy put back in the box keeps the insert packed with it)."""
    positions = set(insert_positions(server_seed, pool_key, run, count))
    carrying: set[CopyRef] = set()
    places = []
    for place, copy in enumerate(drawn, start=1):
        if place in positions and copy not in carrying:
            carrying.add(copy)
            places.append(place)
    return places


# --- the verifier: python verify.py FAIRNESS_URL_OR_FILE ------------------------------

NOT_REVEALED = "the server seed is not revealed yet: it is published when the edition closes"
POOL_NOT_REVEALED = (
    "its seed is not revealed yet: it is published once its run is full or the campaign closes"
)


def load(source: str) -> object:
    """The JSON at a URL, or in a saved file."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    return json.loads(Path(source).read_text(encoding="utf-8"))


def check(data: object) -> list[str]:
    """What does not match, in words; empty when everything replays. `data` is an
    edition's fairness JSON (it has a log) or a campaign's JSON (it names a release)."""
    if not isinstance(data, dict) or not ("log" in data or "release" in data):
        return ["this is neither an edition's fairness JSON nor a campaign's JSON"]
    try:
        return check_edition(data) if "log" in data else check_campaign(data)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # The JSON comes from anyone: a missing or mistyped field is a finding, not a crash.
        return [
            f"the JSON is not shaped as the shop publishes it ({type(error).__name__}: {error})"
        ]


def check_edition(data: dict) -> list[str]:
    """The commitment, every draw and release of the log, the copies left, the inserts."""
    if not data.get("server_seed"):
        return [NOT_REVEALED]
    seed = bytes.fromhex(data["server_seed"])
    problems = []
    if commitment(seed) != data["commitment"]:
        problems.append("sha256(server_seed) is not the published commitment")
    log_problems = _check_log(seed, data)
    if log_problems:
        # Inserts are places in the log: one that does not replay says nothing of them.
        return problems + log_problems
    drawn = [
        CopyRef(e["variant_position"], e["number"]) for e in data["log"] if e["kind"] == "draw"
    ]
    for pool in data.get("insert_pools", []):
        size = data["edition"]["size"]
        places = partial(copy_insert_places, seed, pool["key"], size, pool["count"], drawn)
        problems += _check_awards(pool, places)
    return problems


def _check_log(seed: bytes, data: dict) -> list[str]:
    variants = sorted(data["variants"], key=lambda v: v["position"])
    counts = [variant["count"] for variant in variants]
    log = [
        LogEntry(
            e["sequence"], e["kind"], e["client_seed"], CopyRef(e["variant_position"], e["number"])
        )
        for e in data["log"]
    ]
    try:
        box = replay(seed, counts, log)
    except ReplayMismatch as mismatch:
        return [str(mismatch)]
    return [
        f"copies left in variant {v['position']} do not match the replay"
        for v in variants
        if sum(1 for c in box if c.variant_position == v["position"]) != v["left"]
    ]


def check_campaign(data: dict) -> list[str]:
    """Each insert pool of a campaign: its own seed and commitment, the orders it awarded."""
    if not data["insert_pools"]:
        return ["this campaign has no insert pool: there is nothing to replay"]
    problems = []
    for pool in data["insert_pools"]:
        if not pool.get("server_seed"):
            problems.append(f"insert pool {pool['name']!r}: {POOL_NOT_REVEALED}")
            continue
        seed = bytes.fromhex(pool["server_seed"])
        if commitment(seed) != pool["commitment"]:
            problems.append(
                f"insert pool {pool['name']!r}: sha256(server_seed) is not the published commitment"
            )
        args = (seed, pool["key"], pool["run"], pool["count"], pool["orders_ranked"])
        problems += _check_awards(pool, partial(positions_reached, *args))
    return problems


def _check_awards(pool: dict, places: Callable[[], list[int]]) -> list[str]:
    """The places the pool awarded against those the seed gives (`places` computes them)."""
    name = pool["name"]
    try:
        due = places()
    except ValueError as error:
        return [f"insert pool {name!r}: {error}"]
    awarded = sorted(pool["awarded"])
    if awarded != due:
        return [f"insert pool {name!r}: the seed gives places {due}, the shop awarded {awarded}"]
    return []


def _title(data: object) -> str:
    """The edition's name or the campaign's release, to head the report."""
    if not isinstance(data, dict):
        return "the JSON"
    edition = data.get("edition")
    if isinstance(edition, dict):
        return str(edition.get("name", "edition"))
    return str(data.get("release", "campaign"))


def _success(data: dict) -> str:
    title, pools = _title(data), len(data.get("insert_pools", []))
    if "release" in data:
        return f"{title}: the commitment and inserts of all {pools} insert pool(s) replay exactly"
    entries = f"all {len(data['log'])} log entries"
    if pools:
        return f"{title}: commitment, {entries} and {pools} insert pool(s) replay exactly"
    return f"{title}: commitment and {entries} replay exactly"


def main(argv: list[str] | None = None) -> int:
    """Exit code 0 when everything replays, 1 when something does not, 2 when unreadable."""
    parser = argparse.ArgumentParser(
        prog="verify.py",
        description="Replay a shop's public draw: an edition's fairness JSON "
        "(/api/v1/editions/<id>/fairness) or a campaign's (/api/v1/releases/<slug>/campaign).",
    )
    parser.add_argument("source", help="the JSON's URL, or a file you saved it to")
    source = parser.parse_args(argv).source
    try:
        data = load(source)
    except (OSError, ValueError) as error:
        print(f"cannot read {source}: {error}", file=sys.stderr)
        return 2
    problems = check(data)
    if problems:
        print(f"{_title(data)}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(_success(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
