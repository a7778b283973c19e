"""The KPI dashboard with a year of a busy label: 100,000 orders (shop, stand and
distributor; refunds, returns), release-page visitors, newsletter subscribers, restocks
and ad spends, bulk-inserted into a fresh database; then the dashboard is requested by a
signed-in admin (the app's test client, no network) for the default period (four weeks)
and for a year. Target: p50 and p99 under 300 ms.

    .venv/bin/python bench/dashboard.py [--orders 100000] [--requests 30]

SQLite in a temporary folder by default, PostgreSQL when BENCH_DATABASE_URL is set (an
empty database: the schema is built with create_all, as the tests do).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from bench.harness import percentiles
from config import TestingConfig
from storefront import create_app
from storefront.accounts.models import User
from storefront.budgets.models import BudgetLine, BudgetSpend, ReleaseBudget
from storefront.catalog.models import Product, Release
from storefront.extensions import db
from storefront.fulfilment.models import Return
from storefront.inventory.models import RestockOrder
from storefront.kpis.models import PlaylistAdds, ReleaseVisit
from storefront.newsletter.models import Subscriber
from storefront.orders.models import Order, OrderLine
from storefront.preorders.models import Backing, Campaign

TARGET_MS = 300
RELEASES, FANS, CHUNK = 24, 30_000, 5_000
NOW = datetime.now(UTC)
PASSWORD = "bench-password-42"


def moment(rng: random.Random) -> datetime:
    return NOW - timedelta(seconds=rng.randrange(365 * 86_400))


def chunked(session, model, rows: list[dict]) -> None:
    """Bulk insert (executemany), a few thousand rows at a time."""
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def catalog(session) -> list[tuple[int, int, int]]:
    """Releases, two products each; returns (product id, release id, price)."""
    chunked(
        session,
        Release,
        [
            {
                "id": r,
                "slug": f"bench-{r}",
                "title": f"Bench {r}",
                "artist": "Duo",
                "release_date": date.today() - timedelta(days=30 * r),
                "description": "",
                "credits": "",
            }
            for r in range(1, RELEASES + 1)
        ],
    )
    products = [(2 * r - k, r, 2400 if k else 1500) for r in range(1, RELEASES + 1) for k in (0, 1)]
    chunked(
        session,
        Product,
        [
            {
                "id": p,
                "release_id": r,
                "kind": "vinyl" if price == 2400 else "cd",
                "name": f"P{p}",
                "price_cents": price,
                "stock": 500,
                "weight_class": "parcel",
            }
            for p, r, price in products
        ],
    )
    return products


def orders(session, rng: random.Random, count: int, products) -> list[dict]:
    """`count` paid orders over the year with their lines, refunds and returns."""
    order_rows, line_rows, return_rows = [], [], []
    line_id = 0
    for order_id in range(1, count + 1):
        channel = rng.choices(("shop", "stand", "distributor"), (70, 20, 10))[0]
        picked = rng.sample(products, rng.choice((1, 1, 1, 2, 3)))
        subtotal = 0
        for product_id, _release, price in picked:
            line_id += 1
            quantity = rng.choice((1, 1, 2))
            subtotal += price * quantity
            line_rows.append(
                {
                    "id": line_id,
                    "order_id": order_id,
                    "product_id": product_id,
                    "description": "x",
                    "kind": "vinyl",
                    "unit_price_cents": price,
                    "quantity": quantity,
                }
            )
        paid = moment(rng)
        roll = rng.random()
        status, refunded = ("refunded", subtotal) if roll < 0.03 else ("shipped", 0)
        refunded = subtotal // 2 if 0.03 <= roll < 0.05 else refunded
        fan = "" if channel == "distributor" else f"fan{rng.randrange(FANS)}@example.org"
        order_rows.append(
            {
                "id": order_id,
                "reference": f"B{order_id:07d}",
                "status": status,
                "email": fan or "d@x.org",
                "fan_key": fan,
                "channel": channel,
                "subtotal_cents": subtotal,
                "shipping_cents": 0,
                "total_cents": subtotal,
                "refunded_cents": refunded,
                "provider": "test",
                "reserved_until": paid,
                "paid_at": paid,
                "created_at": paid,
                "shipped_at": paid + timedelta(days=2) if channel == "shop" else None,
            }
        )
        if channel == "shop" and rng.random() < 0.02:
            return_rows.append(
                {
                    "order_id": order_id,
                    "reason": "damaged",
                    "outcome": "restock",
                    "actor": "bench",
                    "created_at": paid + timedelta(days=9),
                }
            )
    chunked(session, Order, order_rows)
    chunked(session, OrderLine, line_rows)
    chunked(session, Return, return_rows)
    return order_rows


def preorders_and_visits(session, rng: random.Random, order_rows, products) -> None:
    chunked(
        session,
        Campaign,
        [
            {
                "id": r,
                "release_id": r,
                "opens_at": NOW - timedelta(days=400),
                "closes_at": NOW,
                "ships_on": date.today(),
            }
            for r in range(1, RELEASES + 1)
        ],
    )
    release_of = {p: r for p, r, _price in products}
    backings = [
        {
            "campaign_id": release_of[rng.choice(products)[0]],
            "order_id": row["id"],
            "email": row["email"],
            "units": 1,
            "amount_cents": 2400,
            "paid_at": row["paid_at"],
        }
        for row in order_rows
        if row["channel"] == "shop" and rng.random() < 0.1
    ]
    chunked(session, Backing, backings)
    visit_rows = []
    for days_ago in range(365):
        day = date.today() - timedelta(days=days_ago)
        for release in range(1, RELEASES + 1):
            visit_rows += [
                {"release_id": release, "day": day, "visitor": f"{release}-{n:028d}"}
                for n in range(rng.randrange(5, 25))
            ]
    chunked(session, ReleaseVisit, visit_rows)


def the_rest(session, rng: random.Random, products) -> None:
    """Subscribers, restocks, ad spends and playlist counts."""
    chunked(
        session,
        Subscriber,
        [
            {
                "email": f"s{n}@x.org",
                "email_key": f"s{n}@x.org",
                "topics": [],
                "requested_at": at,
                "confirmed_at": at,
                "unsubscribed_at": at + timedelta(days=60) if n % 10 == 0 else None,
            }
            for n, at in ((n, moment(rng)) for n in range(12_000))
        ],
    )
    chunked(
        session,
        RestockOrder,
        [
            {
                "product_id": rng.choice(products)[0],
                "quantity": 300,
                "ordered_at": at,
                "received_at": at + timedelta(days=rng.randrange(7, 60)),
                "actor": "bench",
            }
            for at in (moment(rng) for _ in range(80))
        ],
    )
    chunked(session, ReleaseBudget, [{"id": r, "release_id": r} for r in range(1, RELEASES + 1)])
    chunked(
        session,
        BudgetLine,
        [{"id": r, "budget_id": r, "category": "ads"} for r in range(1, RELEASES + 1)],
    )
    chunked(
        session,
        BudgetSpend,
        [
            {
                "line_id": rng.randrange(1, RELEASES + 1),
                "amount_cents": rng.randrange(1000, 20_000),
                "spent_on": moment(rng).date(),
                "actor": "bench",
            }
            for _ in range(600)
        ],
    )
    chunked(
        session,
        PlaylistAdds,
        [
            {
                "week": date.today() - timedelta(days=7 * w + date.today().weekday()),
                "release_id": None,
                "adds": rng.randrange(20),
            }
            for w in range(52)
        ],
    )


def build(app, count: int) -> float:
    """Fill the database; seconds it took."""
    started = time.perf_counter()
    rng = random.Random(11)
    with app.app_context():
        db.drop_all()
        db.create_all()
        session = db.session
        products = catalog(session)
        order_rows = orders(session, rng, count, products)
        preorders_and_visits(session, rng, order_rows, products)
        the_rest(session, rng, products)
        session.add(
            User(
                email="bench@x.org",
                role="admin",
                password_hash=generate_password_hash(PASSWORD, method="scrypt"),
            )
        )
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does by itself within a minute of a bulk load (a year-old
            # database has its statistics): without them the planner guesses sizes.
            session.execute(text("ANALYZE"))
            session.commit()
    return time.perf_counter() - started


def signed_in(app):
    import re

    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": "bench@x.org", "password": PASSWORD}
    assert client.post("/admin/login", data=data).status_code == 302
    return client


def measure(client, url: str, requests: int) -> dict[str, float]:
    assert client.get(url).status_code == 200  # warm the caches
    samples = []
    started = time.perf_counter()
    for _ in range(requests):
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        samples.append((time.perf_counter() - t) * 1000)
    return {**percentiles(samples), "rps": requests / (time.perf_counter() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sillon-bench-dashboard-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        app = create_app(
            TestingConfig, SQLALCHEMY_DATABASE_URI=url, MEDIA_DIR=folder, PRIVATE_DIR=folder
        )
        seconds = build(app, args.orders)
        client = signed_in(app)
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py's post_worker_init does for a served worker
        rows = {
            "dashboard, 4 weeks": measure(client, "/admin/dashboard", args.requests),
            "dashboard, 12 months": measure(client, "/admin/dashboard?preset=12m", args.requests),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"KPI dashboard, {args.orders} orders over a year ({url.split(':')[0]}, "
        f"built in {seconds:.0f} s), {args.requests} requests each, one client"
    )
    print(f"{'':24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, figures in rows.items():
        print(f"{name:24}{figures['rps']:>10.1f}{figures['p50']:>10.1f}{figures['p99']:>10.1f}")
    for name, figures in rows.items():
        verdict = "meets" if figures["p99"] < TARGET_MS else "misses"
        print(f"{name}: {verdict} the {TARGET_MS} ms target (p50 and p99)")


if __name__ == "__main__":
    main()
