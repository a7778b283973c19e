"""Rate limits hold across processes: two gunicorn workers count in one Redis store.

Needs the Redis server every machine of the project runs (127.0.0.1:6379); skipped,
saying why, where it is missing, and failed in CI, which must run it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from config import DevelopmentConfig
from storefront import create_app
from storefront.accounts.models import User
from storefront.extensions import db
from tests.support.fans import Fan
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "grains-de-sable-42"

pytestmark = pytest.mark.slow


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url():
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379: the shared rate-limit store is not tested")
    return REDIS


@pytest.fixture
def shop_database(tmp_path):
    """A SQLite file with the schema and one admin, for processes outside this one."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    shop = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="k" * 40)
    with shop.app_context():
        db.create_all()
        admin = User(email="admin@bruitblanc.example", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture
def two_workers(shop_database, redis_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "SILLON_CONFIG": "development",
        "DATABASE_URL": shop_database,
        "SECRET_KEY": "k" * 40,
        "SILLON_INSTANCE": str(tmp_path),
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "storefront:create_app()"],
            cwd=ROOT, env=env, stderr=stderr,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def test_wrong_passwords_are_counted_once_across_two_workers(two_workers):
    guesser = Fan(two_workers)
    statuses = []
    for _ in range(19):
        token = guesser.token("/admin/login")
        form = {"csrf_token": token, "email": "admin@bruitblanc.example", "password": "guess"}
        statuses.append(guesser.request("/admin/login", form).status)
    assert statuses == [422] * 10 + [429] * 9


@pytest.fixture
def quest_path(shop_database):
    """The path of a poster's code for a quest open now, in the workers' database."""
    from datetime import timedelta

    from storefront.clock import utcnow
    from storefront.quests.codes import QuestCode, sign_code
    from storefront.quests.models import Gig, Quest, Tour

    shop = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=shop_database, SECRET_KEY="k" * 40)
    with shop.app_context():
        doors = utcnow() - timedelta(minutes=30)
        gig = Gig(city="Lausanne", venue="Le Romandie", country="CH", timezone="Europe/Zurich",
                  doors_at=doors, curfew_at=doors + timedelta(hours=4), notes="",
                  tour=Tour(name="Hiver", artist="Collectif Larsen"))  # fmt: skip
        db.session.add(Quest(gig=gig, fragment_title="Balance", fragment_text="…", message=""))
        db.session.commit()
        path = "/q/" + sign_code("k" * 40, QuestCode(gig.id, 1))
        db.session.remove()
        db.engine.dispose()
    return path


def test_quest_scans_are_counted_once_across_two_workers(quest_path, two_workers):
    fan = Fan(two_workers)
    statuses = [fan.request(quest_path).status for _ in range(24)]
    # QUEST_CLAIM_RATE_LIMIT: 20 a minute per address, whichever worker answers.
    assert statuses == [200] * 20 + [429] * 4
