"""A drop: 1,000 fans, 50 at a time, rush a record with 300 copies.

Reports checkouts/s, p50/p99 and oversell for the shop's real checkout (form, CSRF,
cart pricing, reservation, order, payment hand-off) and for a bare endpoint that only
runs the conditional stock UPDATE, both under gunicorn with the same settings and the
same load generator. Target: the checkout at >= 50 % of the bare endpoint's rate, and
no oversell ever.

    .venv/bin/python bench/drop.py [--fans 1000] [--concurrency 50] [--stock 300]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import database_url, gunicorn, percentiles, prepared_instance, run_sql
from tests.support.fans import Fan

TARGET = 0.50


def add_vinyl(url: str, stock: int) -> tuple[int, str]:
    """A plain vinyl (no campaign, no edition) on the first release; (id, release slug)."""
    [(release_id, slug)] = run_sql(url, "SELECT id, slug FROM release ORDER BY id LIMIT 1")
    run_sql(
        url,
        "INSERT INTO product (release_id, kind, name, price_cents, currency, stock, "
        "weight_class, includes_digital, position, active) VALUES (:release, 'vinyl', "
        "'Bench vinyl', 2400, 'EUR', :stock, 'parcel', false, 99, true)",
        release=release_id,
        stock=stock,
    )
    [(product_id,)] = run_sql(url, "SELECT max(id) FROM product")
    return product_id, slug


def restock(url: str, product_id: int, stock: int) -> None:
    run_sql(url, "UPDATE product SET stock = :stock WHERE id = :id", stock=stock, id=product_id)


def timed(call) -> tuple[str, float]:
    start = time.perf_counter()
    outcome = call()
    return outcome, (time.perf_counter() - start) * 1000


def rush(calls: list, concurrency: int) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(timed, calls))
    elapsed = time.perf_counter() - started
    return {
        "rate": len(calls) / elapsed,
        "outcomes": Counter(o for o, _ in results),
        **percentiles([ms for _, ms in results]),
    }


def shop_drop(base: str, slug: str, product_id: int, fans: int, concurrency: int) -> dict:
    crowd = [Fan(base) for _ in range(fans)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:  # carts and forms, not timed
        forms = list(
            pool.map(lambda fan: (fan.fill_cart(slug, product_id), fan.checkout_form())[1], crowd)
        )
    return rush(
        [lambda f=fan, d=form: f.checkout(d) for fan, form in zip(crowd, forms, strict=True)],
        concurrency,
    )


def bare_drop(url: str, fans: int, concurrency: int) -> dict:
    def take(fan: Fan) -> str:
        reply = fan.request(url, {})
        return {200: "reserved", 409: "sold_out"}.get(reply.status, f"error:{reply.status}")

    crowd = [Fan("") for _ in range(fans)]
    return rush([lambda f=fan: take(f) for fan in crowd], concurrency)


def report(name: str, figures: dict, stock: int) -> int:
    reserved = figures["outcomes"].get("reserved", 0)
    oversell = max(0, reserved - stock)
    others = {k: v for k, v in figures["outcomes"].items() if k not in ("reserved", "sold_out")}
    print(
        f"{name:16}{figures['rate']:>12.0f}{figures['p50']:>10.1f}{figures['p99']:>10.1f}"
        f"{reserved:>10}{figures['outcomes'].get('sold_out', 0):>10}{oversell:>10}  {others or ''}"
    )
    return oversell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fans", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--stock", type=int, default=300)
    args = parser.parse_args()
    rows = {}
    with prepared_instance() as (instance, env):
        url = database_url(instance)
        env = dict(env, BARE_DATABASE_URL=url)
        product_id, slug = add_vinyl(url, args.stock)
        with gunicorn("bench.served:app", env) as shop:
            rows["shop checkout"] = shop_drop(shop, slug, product_id, args.fans, args.concurrency)
            [(left,)] = run_sql(url, "SELECT stock FROM product WHERE id = :id", id=product_id)
            [(orders,)] = run_sql(
                url,
                "SELECT count(DISTINCT order_id) FROM order_line WHERE product_id = :id",
                id=product_id,
            )
            restock(url, product_id, args.stock)
            rows["bare UPDATE, same app"] = bare_drop(
                f"{shop}/bench/bare-stock/{product_id}", args.fans, args.concurrency
            )
        restock(url, product_id, args.stock)
        with gunicorn("bench.bare_app:create_app()", env) as bare:
            rows["bare Flask app"] = bare_drop(
                f"{bare}/bare/stock/{product_id}", args.fans, args.concurrency
            )
    print(
        f"drop: {args.fans} fans, {args.concurrency} at a time, stock {args.stock}, "
        f"gunicorn sync x2, database {re.sub(r'//.*@', '//', url.split('?')[0])}"
    )
    header = ("checkouts/s", "p50 ms", "p99 ms", "reserved", "sold out", "oversell")
    print(f"{'':22}{header[0]:>12}" + "".join(f"{title:>10}" for title in header[1:]))
    oversell = sum(report(name, figures, args.stock) for name, figures in rows.items())
    print(f"database after the shop drop: stock left {left}, orders {orders}")
    for baseline in ("bare UPDATE, same app", "bare Flask app"):
        ratio = rows["shop checkout"]["rate"] / rows[baseline]["rate"]
        verdict = "meets" if ratio >= TARGET else "misses"
        print(f"checkout = {ratio:.0%} of the {baseline} ({verdict} the {TARGET:.0%} target)")
    print(f"oversell, all runs: {oversell}")


if __name__ == "__main__":
    main()
