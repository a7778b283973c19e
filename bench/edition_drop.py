"""A drop on a limited edition: fans check out and pay at once, each payment draws a copy.

1,000 fans, 50 at a time, rush a record of 300 numbered copies (standard 250, silver 40,
gold 10): every fan who gets a reservation pays at once on the TEST page, so copies are
drawn (serialised per edition) while the others are still checking out. Reports draws/s,
the p50/p99 of checkouts and of paying (drawing), copies drawn and duplicates (must be 0).

    .venv/bin/python bench/edition_drop.py [--fans 1000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.drop import add_vinyl
from bench.harness import ROOT, database_url, gunicorn, percentiles, prepared_instance, run_sql
from tests.support.fans import Fan

CREATE_EDITION = """
from storefront import create_app
from storefront.catalog.models import Product
from storefront.clock import utcnow
from storefront.editions.services import create_edition
from storefront.extensions import db
with create_app().app_context():
    product = db.session.get(Product, {product_id})
    create_edition(db.session, product=product, name="Bench edition", size=300,
                   variants=[("standard", 250), ("silver", 40), ("gold", 10)], now=utcnow())
"""


def fan_rush(fan: Fan, form: dict) -> tuple[str, float, float | None]:
    started = time.perf_counter()
    outcome = fan.checkout(form)
    checked_out = time.perf_counter()
    if outcome != "reserved":
        return outcome, (checked_out - started) * 1000, None
    status = fan.pay_test()
    paid = time.perf_counter()
    return (
        "drawn" if status == 302 else f"pay_error:{status}",
        (checked_out - started) * 1000,
        (paid - checked_out) * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fans", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    with prepared_instance() as (instance, env):
        url = database_url(instance)
        product_id, slug = add_vinyl(url, 300)
        subprocess.run(
            [sys.executable, "-c", CREATE_EDITION.format(product_id=product_id)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        with gunicorn("storefront:create_app()", env) as shop:
            crowd = [Fan(shop) for _ in range(args.fans)]
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                forms = list(
                    pool.map(
                        lambda fan: (fan.fill_cart(slug, product_id), fan.checkout_form())[1], crowd
                    )
                )
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                results = list(pool.map(fan_rush, crowd, forms))
            elapsed = time.perf_counter() - started
        [(drawn, distinct)] = run_sql(
            url,
            "SELECT count(*), count(DISTINCT variant_id || ':' || number) FROM copy "
            "JOIN edition ON edition.id = copy.edition_id "
            "WHERE copy.order_id IS NOT NULL AND edition.product_id = :id",
            id=product_id,
        )
    outcomes = {kind: sum(1 for r in results if r[0] == kind) for kind in {r[0] for r in results}}
    checkout = percentiles([r[1] for r in results])
    paying = percentiles([r[2] for r in results if r[2] is not None])
    print(
        f"edition drop: {args.fans} fans, {args.concurrency} at a time, 300 numbered copies, "
        "gunicorn sync x2"
    )
    print(f"outcomes {outcomes}; wall {elapsed:.1f} s")
    print(f"draws/s {outcomes.get('drawn', 0) / elapsed:.0f}")
    for name, figures in (("checkout", checkout), ("pay + draw", paying)):
        print(f"{name:12} p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms")
    print(f"copies drawn {drawn}, distinct {distinct}, duplicates {drawn - distinct}")


if __name__ == "__main__":
    main()
