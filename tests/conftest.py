"""Shared fixtures: the app on SQLite (or TEST_DATABASE_URL), a clean database per test,
factories, CSRF-aware form posts, a live server, Stripe fakes and an SMTP server."""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import delete, select

from config import TestingConfig
from storefront import create_app
from storefront.catalog.models import Product, ProductOption, Release, Track
from storefront.clock import utcnow
from storefront.extensions import db, limiter
from storefront.orders.models import Order
from storefront.shop.page_cache import page_cache

pytest_plugins = [
    "tests.support.stripe_fakes",
    "tests.support.servers",
    "tests.support.quests",
    "tests.support.staff",
]

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context,
    `g` and database session, not the test's. The browser asks for English unless a
    test says otherwise (French is what the shop picks when in doubt)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _database_url(workdir: Path) -> str:
    # A file, not :memory:, so live-server threads and the test share one database.
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{workdir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def workdir():
    with tempfile.TemporaryDirectory(prefix="sillon-test-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def app(workdir):
    from tests.support.stripe_fakes import FakeStripeHTTP  # a plugin: imported once pytest knows it

    media, private = workdir / "media", workdir / "private"
    media.mkdir()
    private.mkdir()
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=_database_url(workdir),
        MEDIA_DIR=media,
        PRIVATE_DIR=private,
        # Nothing queued: an unplanned Stripe call fails the test instead of going out.
        STRIPE_HTTP_CLIENT=FakeStripeHTTP(),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Each test starts with empty tables, no rate-limit counts and no cached pages."""
    ctx = app.app_context()
    ctx.push()
    with force_locale("en"):  # services called outside a request speak English in tests
        yield
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
    db.session.remove()
    ctx.pop()
    limiter.reset()
    page_cache.clear()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: with the CSRF token of a page it loaded."""

    def post(url: str, data: dict | None = None, *, page: str = "/", **kwargs):
        token = csrf_token_from(client.get(page).get_data(as_text=True))
        return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    return post


@pytest.fixture
def make_release():
    counter = iter(range(1, 10_000))

    def make(**fields) -> Release:
        n = next(counter)
        release = Release(
            slug=fields.pop("slug", f"release-{n}"),
            title=fields.pop("title", f"Release {n}"),
            artist=fields.pop("artist", "Duo Granulaire"),
            release_date=fields.pop("release_date", date.today() - timedelta(days=10)),
            description=fields.pop("description", "Grains, clicks and long silences."),
            credits=fields.pop("credits", "Mastered in Lyon"),
            **fields,
        )
        release.tracks = [
            Track(position=1, title="Sable fin", duration_seconds=245),
            Track(position=2, title="Dune lente", duration_seconds=381),
        ]
        db.session.add(release)
        db.session.commit()
        return release

    return make


@pytest.fixture
def make_product(make_release):
    def make(
        *,
        release: Release | None = None,
        kind: str = "vinyl",
        price_cents: int = 2400,
        stock: int | None = 10,
        options: dict[str, int] | None = None,
        download_path: str | None = None,
        name: str | None = None,
    ) -> Product:
        product = Product(
            release=release or make_release(),
            kind=kind,
            name=name or {"vinyl": '12" vinyl', "digital": "Digital album"}.get(kind, kind),
            price_cents=price_cents,
            stock=None if kind == "digital" or options else stock,
            weight_class="none"
            if kind == "digital"
            else ("letter" if kind in ("cd", "cassette") else "parcel"),
            download_path=download_path,
            options=[
                ProductOption(label=label, stock=count, position=i)
                for i, (label, count) in enumerate((options or {}).items())
            ],
        )
        db.session.add(product)
        db.session.commit()
        return product

    return make


@pytest.fixture
def digital_file(app):
    """A small zip in the private folder, as the label's upload would be."""
    path = Path(app.config["PRIVATE_DIR"]) / "downloads" / "album.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return "downloads/album.zip"


def fresh(instance):
    """Re-read a row from the database (requests commit through their own sessions)."""
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def order_by_reference(reference: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.reference == reference))


def now():
    return utcnow()


@pytest.fixture
def make_campaign(make_product):
    """A campaign over `products` (a new vinyl by default), open now unless told otherwise.

    goals: (kind, threshold, reward_kind, reward_title) tuples; bonuses: (title, size)."""
    from storefront.preorders.models import Bonus, Campaign, Goal

    def make(
        *,
        products=None,
        opens_in=timedelta(days=-1),
        closes_in=timedelta(days=7),
        ships_in=timedelta(days=60),
        goals=(),
        bonuses=(),
        per_fan_limit=None,
        margin=10,
    ) -> Campaign:
        products = products or [make_product(stock=500)]
        start = utcnow()
        campaign = Campaign(
            release=products[0].release,
            products=list(products),
            opens_at=start + opens_in,
            closes_at=start + closes_in,
            ships_on=(start + ships_in).date(),
            per_fan_limit=per_fan_limit,
            run_margin_percent=margin,
            goals=[
                Goal(kind=kind, threshold=threshold, reward_kind=reward_kind, reward_title=title)
                for kind, threshold, reward_kind, title in goals
            ],
            bonuses=[Bonus(title=title, size=size) for title, size in bonuses],
        )
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_edition(make_product):
    """An edition over a new vinyl (stock `stock`, default: the edition's size)."""
    from storefront.editions.services import create_edition

    def make(variants=(("standard", 5), ("silver", 2), ("gold", 1)), *, stock=None, **options):
        size = sum(count for _name, count in variants)
        product = make_product(stock=size if stock is None else stock)
        return create_edition(
            db.session,
            product=product,
            name="Grains de Sable, édition limitée",
            size=size,
            variants=list(variants),
            now=utcnow(),
            **options,
        )

    return make
