"""Safe defaults: secrets, sessions that really end, trusted proxy headers, body limits."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config import (
    ConfigurationError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    check_rate_limit_storage,
)
from storefront import create_app
from storefront.extensions import db
from tests.conftest import fresh
from tests.support.staff import log_in, make_user, send

PRODUCTION_OK = {
    "SECRET_KEY": "f3" * 32,
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}


# --- the secret key -------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret", ["", "x", "dev-only-not-secret", "testing-secret", "a" * 31, "changeme"]
)
def test_production_refuses_short_or_public_secrets(secret):
    with pytest.raises(ConfigurationError, match="at least 32 bytes"):
        create_app(ProductionConfig, **{**PRODUCTION_OK, "SECRET_KEY": secret})


def test_production_accepts_a_long_random_secret():
    assert create_app(ProductionConfig, **PRODUCTION_OK).config["SECRET_KEY"] == "f3" * 32


def test_development_makes_its_own_key_once_and_keeps_it_private(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    options = {
        "SECRET_KEY": "",
        "SECRET_KEY_FILE": key_file,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    first = create_app(DevelopmentConfig, **options).config["SECRET_KEY"]
    second = create_app(DevelopmentConfig, **options).config["SECRET_KEY"]
    assert first == second == key_file.read_text().strip()
    assert len(bytes.fromhex(first)) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = create_app(
        DevelopmentConfig, **{**options, "SECRET_KEY_FILE": tmp_path / "elsewhere" / "secret_key"}
    )
    assert other.config["SECRET_KEY"] != first, "each instance has its own key"


def test_development_refuses_cookies_signed_with_the_old_public_key(tmp_path):
    from itsdangerous import BadSignature

    options = {"SECRET_KEY": "", "SECRET_KEY_FILE": tmp_path / "secret_key"}
    dev = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://", **options)
    forged = _session_cookie(create_app(TestingConfig, SECRET_KEY="dev-only-not-secret"), {})
    with pytest.raises(BadSignature):
        _serializer(dev).loads(forged)


# --- sessions end for good -------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_no_longer_works(client, app):
    make_user()
    assert log_in(client, "admin@bruitblanc.example").status_code == 302
    copied = client.get_cookie("session").value
    assert send(client, "/admin/logout", {}, page="/admin/releases").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/releases").status_code == 302  # to the login page


def test_a_new_password_ends_every_session(client, app):
    user = make_user()
    assert log_in(client, user.email).status_code == 302
    assert client.get("/admin/releases").status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "set-password", user.email, "--password-stdin"],
        input="a brand new long password\n",
    )
    assert result.exit_code == 0, result.output
    assert client.get("/admin/releases").status_code == 302
    assert fresh(user).check_password("a brand new long password")


def test_signing_in_again_after_sign_out_works(client):
    make_user()
    log_in(client, "admin@bruitblanc.example")
    send(client, "/admin/logout", {}, page="/admin/releases")
    assert log_in(client, "admin@bruitblanc.example").status_code == 302
    assert client.get("/admin/releases").status_code == 200


@pytest.mark.parametrize("session_id", ["1", "x:1", "1:x", "9" * 40 + ":1", "1:1:1", "\u0661:1"])
def test_odd_session_ids_sign_nobody_in(client, app, session_id):
    make_user()
    client.set_cookie("session", _session_cookie(app, {"_user_id": session_id}))
    assert client.get("/admin/releases").status_code == 302


def _serializer(app):
    from flask.sessions import SecureCookieSessionInterface

    return SecureCookieSessionInterface().get_signing_serializer(app)


def _session_cookie(app, data: dict) -> str:
    return _serializer(app).dumps(data)


def test_session_protection_ignores_a_forged_forwarded_for(client):
    """Without a trusted proxy, X-Forwarded-For is the client's word: it neither moves the
    session to another address nor keeps a stolen one alive."""
    make_user()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    log_in(client, "admin@bruitblanc.example")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    assert client.get("/admin/releases").status_code == 200, "same browser, same address"
    client.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "127.0.0.1"
    assert client.get("/admin/releases").status_code == 302, "another address: signed out"


# --- rate limits: one shared count, one bucket per visitor ------------------------------


def test_several_workers_need_a_shared_rate_limit_store():
    with pytest.raises(ConfigurationError, match="shared store"):
        check_rate_limit_storage(2, "memory://")
    check_rate_limit_storage(1, "memory://")
    check_rate_limit_storage(4, "redis://127.0.0.1:6379/0")


def test_gunicorn_refuses_two_workers_counting_apart(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "RATELIMIT_STORAGE_URI": "memory://", "SILLON_CONFIG": "testing"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
         "--bind", "127.0.0.1:0", "storefront:create_app()"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "shared store" in result.stderr


@pytest.fixture
def shop_with(app):
    """Another app on the test database, configured as a deployment would be."""
    made = []

    def make(**config):
        made.append(create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=db.engine.url, **config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("hops", [0, 1])
def test_one_visitor_cannot_lock_everyone_out_of_login(shop_with, hops):
    """Behind one proxy (PROXY_HOPS=1) each visitor has their own bucket; with no proxy,
    a forged X-Forwarded-For does not give a guesser fresh buckets."""
    shop = shop_with(PROXY_HOPS=hops, LOGIN_RATE_LIMIT="3 per minute")
    make_user()
    guesser, fan = shop.test_client(), shop.test_client()
    for client, address in ((guesser, "203.0.113.7"), (fan, "198.51.100.9")):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    statuses = []
    for n in range(5):
        if not hops:
            guesser.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
        statuses.append(log_in(guesser, "admin@bruitblanc.example", "guess").status_code)
    assert statuses == [422, 422, 422, 429, 429]
    other = log_in(fan, "admin@bruitblanc.example").status_code
    assert other == (302 if hops else 429), "behind a proxy the fan keeps their own bucket"


# --- request bodies ------------------------------------------------------------------------


def test_large_bodies_are_refused_outside_admin_uploads(client, post_form):
    big = "x" * (300 * 1024)
    assert (
        post_form("/cart/add", {"product_id": "1", "quantity": "1", "note": big}).status_code == 413
    )
    assert client.post("/lang", data=b"x" * (2 * 1024 * 1024)).status_code == 413


def test_anonymous_uploads_are_cut_at_the_small_limit(client):
    body = {"cover": (__import__("io").BytesIO(b"\x00" * (400 * 1024)), "c.png")}
    response = client.post("/admin/releases/new", data=body, content_type="multipart/form-data")
    assert response.status_code == 413
