"""Configuration classes, read from the environment.

`create_app()` picks one from `SILLON_CONFIG` (development, testing, production);
development is the default: SQLite in instance/, test payments, mail on the console.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SILLON_INSTANCE", BASE_DIR / "instance"))
MIN_SECRET_KEY_BYTES = 32
# Keys that have been public (in this repository, its history or its docs): never in
# production, whatever their length.
KNOWN_SECRET_KEYS = frozenset(
    {"", "dev-only-not-secret", "testing-secret", "change-me", "changeme", "secret"}
)


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # Development makes its own key in instance/ (`instance_secret_key`); production
    # must be given one.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
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

    # Who runs the shop: pages and mails read these (as `label`), none spells them out.
    LABEL_NAME = os.environ.get("LABEL_NAME", "Bruit Blanc")
    LABEL_EMAIL = os.environ.get("LABEL_EMAIL", "shop@bruitblanc.example")
    LABEL_CITY = os.environ.get("LABEL_CITY", "Lyon")  # where parcels leave from

    SMTP_URL = os.environ.get("SMTP_URL", "console:")
    MAIL_FROM = os.environ.get("MAIL_FROM", f"{LABEL_NAME} <{LABEL_EMAIL}>")
    MAIL_MAX_ATTEMPTS = 8

    RESERVATION_MINUTES = int(os.environ.get("RESERVATION_MINUTES", "30"))
    DOWNLOAD_DAYS = 7
    DOWNLOAD_LIMIT = 5
    DOWNLOAD_REISSUE_LIMIT = 3  # fresh links per line before the fan must write to us
    DOWNLOAD_REISSUE_RATE_LIMIT = "5 per hour"  # per order, and per address
    # A reward link works this long; the order page gives fresh ones each time it is shown.
    REWARD_LINK_DAYS = int(os.environ.get("REWARD_LINK_DAYS", "30"))
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "5"))

    # Request bodies: small everywhere (forms, the webhook); only the admin's upload
    # forms, once the admin is signed in, accept up to UPLOAD_MAX_BYTES (an album zip in
    # lossless audio), each kind of upload with its own, smaller limit below.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 256 * 1024))
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    STRIPE_WEBHOOK_MAX_BYTES = 256 * 1024
    UPLOAD_MAX_BYTES = 1024 * 1024 * 1024
    COVER_MAX_BYTES = 8 * 1024 * 1024
    AUDIO_MAX_BYTES = 100 * 1024 * 1024
    DOWNLOAD_MAX_BYTES = 1024 * 1024 * 1024
    REWARD_MAX_BYTES = 512 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    # The label's time zone: dates are typed and shown in it.
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris")
    # What the shop speaks; each but English (the source text) needs a catalog in
    # storefront/translations.
    LANGUAGES = tuple(os.environ.get("LANGUAGES", "fr,en").replace(" ", "").split(","))

    # memory:// counts per process: right for one process (`make run`), wrong for several
    # gunicorn workers, which gunicorn.conf.py refuses; use redis://host:6379/0 there.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "sillon")
    # How many reverse proxies (nginx, a load balancer) stand in front of the app: the
    # last PROXY_HOPS entries of X-Forwarded-For/-Proto/-Host are theirs and trusted, so
    # limits count each visitor. 0 (no proxy): those headers are ignored, as anyone can
    # send them. Behind a proxy with 0, every visitor would share the proxy's address.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # The X-RateLimit-* headers cost two store round trips per limit on every limited
    # request (a quest scan runs two limits); a refused request still says when to come
    # back (Retry-After, `storefront.web`).
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "10 per minute"
    CARD_RATE_LIMIT = "10 per minute"  # failed card codes, per address
    DISCOUNT_CODE_RATE_LIMIT = "10 per minute"  # failed discount codes, per address
    # Quest claims: a fan scanning again and again, per address; and one code, shared by
    # the whole room (a poster), or copied from a photo and hammered from elsewhere.
    QUEST_CLAIM_RATE_LIMIT = "20 per minute"
    QUEST_CODE_RATE_LIMIT = "600 per minute"
    PASSPORT_SAVE_RATE_LIMIT = "5 per hour"  # save-by-email mails, per address
    QUEST_LINK_HOURS = 24  # a fragment's or badge file's link; the passport gives fresh ones
    PASSPORT_SAVE_HOURS = 48  # the link that saves a passport under an email
    PASSPORT_COOKIE = "sillon_passport"
    PASSPORT_COOKIE_DAYS = 730

    # Fans' accounts (storefront/fans): magic links, export and deletion.
    SIGN_IN_LINK_MINUTES = 15
    SIGN_IN_EMAIL_RATE_LIMIT = "3 per 15 minutes"  # sign-in mails, per email
    SIGN_IN_ADDRESS_RATE_LIMIT = "10 per hour"  # sign-in mails, per address

    # Membership (storefront/members): a failed renewal keeps the benefits this long.
    MEMBERSHIP_GRACE_DAYS = int(os.environ.get("MEMBERSHIP_GRACE_DAYS", "7"))
    # An unpaid sign-up holds its seat this long (Stripe's checkout expires then; at
    # least 31 minutes there); `members expire` frees the test provider's.
    MEMBERSHIP_CHECKOUT_MINUTES = int(os.environ.get("MEMBERSHIP_CHECKOUT_MINUTES", "60"))
    # A member discount never takes a line below this share of its public price, a
    # discount code included (storefront/members/discounts.py).
    DISCOUNT_FLOOR_PERCENT = int(os.environ.get("DISCOUNT_FLOOR_PERCENT", "75"))
    MEMBER_LINK_HOURS = 24  # a members-only post's image or recording link

    # Newsletter (storefront/newsletter).
    NEWSLETTER_RATE_PER_MINUTE = int(os.environ.get("NEWSLETTER_RATE_PER_MINUTE", "60"))
    NEWSLETTER_CONFIRM_HOURS = 48  # the double opt-in link
    NEWSLETTER_SIGNUP_RATE_LIMIT = "5 per hour"  # confirmation mails, per address
    # Waitlists (storefront/waitlist): sign-ups per address.
    WAITLIST_SIGNUP_RATE_LIMIT = "10 per hour"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    SECURE_HEADERS_HSTS = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session cookie


class DevelopmentConfig(Config):
    DEBUG = False
    # Made once by `instance_secret_key` when SECRET_KEY is not set.
    SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"


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
    """Refuse to serve production with a weak or public secret, or no way to take money."""
    key = config["SECRET_KEY"]
    key_bytes = key.encode() if isinstance(key, str) else bytes(key or b"")
    if key in KNOWN_SECRET_KEYS or len(key_bytes) < MIN_SECRET_KEY_BYTES:
        raise ConfigurationError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_BYTES} bytes in "
            "production (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if not config["TEST_PAYMENTS"] and not (
        config["STRIPE_SECRET_KEY"] and config["STRIPE_WEBHOOK_SECRET"]
    ):
        raise ConfigurationError(
            "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required in production "
            "(or set TEST_PAYMENTS=1 explicitly to run a test shop)."
        )


def instance_secret_key(path: Path) -> str:
    """The development key kept in `path`, made (random, readable by its owner only) the
    first time. Several workers starting at once agree: the file appears whole or not at
    all (written aside, then linked into place)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker won: use its key
        finally:
            draft.unlink()
    return path.read_text().strip()


def check_rate_limit_storage(workers: int, storage_uri: str) -> None:
    """Several processes must count rate limits in one shared store."""
    if workers > 1 and urlsplit(storage_uri).scheme in ("memory", ""):
        raise ConfigurationError(
            f"{workers} workers would each keep their own rate-limit counts with "
            f"RATELIMIT_STORAGE_URI={storage_uri!r}: set it to a shared store "
            "(redis://127.0.0.1:6379/0) or serve with one worker."
        )
