"""Release page throughput versus a bare Flask route returning the same number of bytes.

Both run under gunicorn (sync workers, same settings) and are measured by wrk -t2 -c50.
Target: the release page at >= 60 % of the bare route's requests/s.

    .venv/bin/python bench/release_page.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import database_url, gunicorn, prepared_instance, require_wrk, wrk

TARGET = 0.60


def first_release_path(base: str) -> str:
    home = urllib.request.urlopen(base + "/").read().decode()
    return re.search(r'href="(/releases/[^"]+)"', home).group(1)


def measure(url: str, seconds: int) -> dict:
    wrk(url, seconds=2)  # warm the workers' caches and connections
    return wrk(url, seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    require_wrk()
    with prepared_instance() as (instance, env):
        with gunicorn("storefront:create_app()", env) as shop:
            path = first_release_path(shop)
            size = len(urllib.request.urlopen(shop + path).read())
        env = dict(env, BARE_BODY_BYTES=str(size), BARE_DATABASE_URL=database_url(instance))
        with gunicorn("bench.served:app", env) as shop:
            rows = {
                "release page": measure(shop + path, args.seconds),
                "bare route, same app": measure(shop + "/bench/bare-page", args.seconds),
            }
        with gunicorn("bench.bare_app:create_app()", env) as bare:
            rows["bare Flask app"] = measure(bare + "/bare/page", args.seconds)
    print(f"release page {path} ({size} bytes), gunicorn sync x2, wrk -t2 -c50 {args.seconds}s")
    print(f"{'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, figures in rows.items():
        print(
            f"{name:22}{figures['rps']:>10.0f}{figures['p50']:>10.2f}{figures['p99']:>10.2f}"
            f"{figures['errors']:>10.0f}"
        )
    for baseline in ("bare route, same app", "bare Flask app"):
        ratio = rows["release page"]["rps"] / rows[baseline]["rps"]
        verdict = "meets" if ratio >= TARGET else "misses"
        print(f"release page = {ratio:.0%} of the {baseline} ({verdict} the {TARGET:.0%} target)")


if __name__ == "__main__":
    main()
