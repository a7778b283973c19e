"""Configuration classes, read from the environment.

`create_app()` picks one from `SILLON_CONFIG` (development, testing, production);
development is the default: SQLite in instance/, test payments, mail on the console.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SILLON_INSTANCE", BASE_DIR / "instance"))
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sillon.sqlite3'}"
    )
    INSTANCE_DIR = INSTANCE_DIR
    MEDIA_DIR = Path(os.environ.get("MEDIA_DIR", INSTANCE_DIR / "media"))
    PRIVATE_DIR = Path(os.environ.get("PRIVATE_DIR", INSTANCE_DIR / "private"))
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_HTTP_CLIENT = None  # tests inject a fake stripe.HTTPClient here
    TEST_PAYMENTS = _env_flag("TEST_PAYMENTS", default=not STRIPE_SECRET_KEY)

    SMTP_URL = os.environ.get("SMTP_URL", "console:")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Bruit Blanc <shop@bruitblanc.example>")
    MAIL_MAX_ATTEMPTS = 8

    RESERVATION_MINUTES = int(os.environ.get("RESERVATION_MINUTES", "30"))
    DOWNLOAD_DAYS = 7
    DOWNLOAD_LIMIT = 5
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "5"))

    # The largest request (an album zip in lossless audio); each kind of upload has its own,
    # smaller limit below.
    MAX_CONTENT_LENGTH = 1024 * 1024 * 1024
    COVER_MAX_BYTES = 8 * 1024 * 1024
    AUDIO_MAX_BYTES = 100 * 1024 * 1024
    DOWNLOAD_MAX_BYTES = 1024 * 1024 * 1024
    REWARD_MAX_BYTES = 512 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Reverse proxies in front of the app (nginx, a load balancer): their X-Forwarded-*
    # headers are trusted so rate limits count each fan, not the proxy.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    CARD_RATE_LIMIT = "10 per minute"  # failed card codes, per address

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    SECURE_HEADERS_HSTS = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session cookie


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    TEST_PAYMENTS = True
    SMTP_URL = "console:"
    PAGE_CACHE_SECONDS = 0
    RATELIMIT_ENABLED = True
    PUBLIC_URL = "http://localhost"
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURE_HEADERS_HSTS = True
    PREFERRED_URL_SCHEME = "https"
    TEST_PAYMENTS = _env_flag("TEST_PAYMENTS", default=False)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


class ConfigurationError(RuntimeError):
    """The configuration cannot run safely."""


def check_production(config: dict) -> None:
    """Refuse to serve production with a default secret or without a way to take money."""
    if config["SECRET_KEY"] in {DEFAULT_SECRET_KEY, ""}:
        raise ConfigurationError("SECRET_KEY must be set to a long random value in production.")
    if not config["TEST_PAYMENTS"] and not (
        config["STRIPE_SECRET_KEY"] and config["STRIPE_WEBHOOK_SECRET"]
    ):
        raise ConfigurationError(
            "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required in production "
            "(or set TEST_PAYMENTS=1 explicitly to run a test shop)."
        )
