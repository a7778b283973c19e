"""Replay an edition's public draw log: `python -m storefront.editions.verify FILE_OR_URL`.

Reads the fairness JSON (a file, or the shop's /api/v1/editions/<id>/fairness URL),
checks that sha256(server_seed) is the published commitment and that every draw and
release follows from the seed and the fans' client seeds. Exit code 0 when all match.
It needs only the standard library and `storefront/editions/draw.py` (itself stdlib-only).
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

from storefront.editions.draw import CopyRef, LogEntry, ReplayMismatch, commitment, replay


def load(source: str) -> dict:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:
            return json.load(response)
    return json.loads(Path(source).read_text())


def check(data: dict) -> list[str]:
    """What does not match, in words; empty when the whole log replays."""
    seed_hex = data.get("server_seed")
    if not seed_hex:
        return ["the server seed is not revealed yet: it is published when the edition closes"]
    seed = bytes.fromhex(seed_hex)
    problems = []
    if commitment(seed) != data["commitment"]:
        problems.append("sha256(server_seed) is not the published commitment")
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
        problems.append(str(mismatch))
    else:
        left = {v["position"]: v["left"] for v in variants}
        for position in left:
            if sum(1 for c in box if c.variant_position == position) != left[position]:
                problems.append(f"copies left in variant {position} do not match the replay")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    data = load(args[0])
    problems = check(data)
    name = data.get("edition", {}).get("name", "edition")
    if problems:
        print(f"{name}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(f"{name}: commitment and all {len(data['log'])} log entries replay exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
