"""Configuration classes, chosen by environment.

`Config` reads the environment; `TestConfig` is what the tests pass to the factory.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Only ever used outside production: ProductionConfig refuses to start with it.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (a known value, refused in production)


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url():
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'directory.db'}")
    # Heroku-style URLs name the old driver; SQLAlchemy wants an explicit psycopg 3 one.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def trusted_hosts(base_url: str, listed: str | None) -> list[str] | None:
    """Return the Host names to answer: those listed (comma-separated), else the base URL's; None = any."""
    if listed and listed.strip():
        return [host.strip() for host in listed.split(",") if host.strip()]
    host = urlsplit(base_url or "").hostname
    return [host] if host else None


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Where people reach the site: every absolute link (set-password links above all) is built on it,
    # never on the Host a request names (directory/links.py).
    DIRECTORY_BASE_URL = os.environ.get("DIRECTORY_BASE_URL", "http://127.0.0.1:5000")
    # Host names the app answers (a request naming another gets a 400); unset answers any.
    TRUSTED_HOSTS = trusted_hosts("", os.environ.get("TRUSTED_HOSTS"))
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # A pooled connection unused for longer than this is pinged before use (see directory/database.py).
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", "10"))
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    # How often a node polls the change log for edits made through other nodes.
    SEARCH_POLL_SECONDS = float(os.environ.get("SEARCH_POLL_SECONDS", "2"))
    # How long `flask search prune` keeps change-log entries: longer than any node may be offline.
    INDEX_CHANGE_KEEP_DAYS = int(os.environ.get("INDEX_CHANGE_KEEP_DAYS", "30"))

    WTF_CSRF_ENABLED = True
    # A token lives as long as the session: forms left open on a ward PC still work.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A sign-in session ends when unused this long, and in any case this long after signing in.
    SESSION_IDLE_DAYS = float(os.environ.get("SESSION_IDLE_DAYS", "14"))
    SESSION_MAX_DAYS = float(os.environ.get("SESSION_MAX_DAYS", "31"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # `memory://` counts in each process alone: production needs shared storage, or the operator's word
    # that one process serves the site (see directory/security.py).
    RATELIMIT_SINGLE_WORKER = _bool("RATELIMIT_SINGLE_WORKER", False)
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # A limit on every route per client address (e.g. "600 per minute"); unset = only the routes' own limits.
    RATELIMIT_DEFAULT = os.environ.get("RATELIMIT_DEFAULT") or None
    # How many reverse proxies in front set X-Forwarded-For/-Proto; 0 = trust no forwarded headers.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # /healthz says "degraded" when this node's index is more change-log entries behind than this.
    HEALTH_MAX_INDEX_LAG = int(os.environ.get("HEALTH_MAX_INDEX_LAG", "100"))

    # A listing not verified for this long is flagged to its agency and shown as such publicly.
    STALE_AFTER_DAYS = int(os.environ.get("STALE_AFTER_DAYS", "183"))
    # Where "Exit this page" goes: an everyday site that gives nothing away (GOV.UK's choice too).
    QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
    INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", "72"))

    # Email (Flask-Mailman). Messages wait in the outbox until `flask mail send` (directory/mail/).
    # With no MAIL_SERVER, development prints each message to the terminal instead of sending it.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "London referral and care pathway directory <directory@localhost>"
    )
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "console")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "20"))
    # Development delivers each request's mail when the request ends, so it shows in the terminal;
    # elsewhere messages wait for `flask mail send`.
    MAIL_SEND_AT_ONCE = _bool("MAIL_SEND_AT_ONCE", MAIL_BACKEND == "console")
    # Tries before a message is given up (`flask mail retry` puts given-up ones back).
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    # How long a "still accurate" link in a reminder works, and a forgotten-password link.
    CONFIRMATION_LINK_DAYS = int(os.environ.get("CONFIRMATION_LINK_DAYS", "45"))
    RESET_LINK_HOURS = int(os.environ.get("RESET_LINK_HOURS", "2"))
    # Editors are reminded this many days before a listing goes stale, and again when it does.
    REMIND_BEFORE_STALE_DAYS = int(os.environ.get("REMIND_BEFORE_STALE_DAYS", "30"))
    # What an agency says about taking new referrals is shown as out of date after this many days.
    CAPACITY_FRESH_DAYS = int(os.environ.get("CAPACITY_FRESH_DAYS", "30"))
    # Unmet-need insights: a search term is shown only when at least this many searches used it.
    INSIGHTS_MIN_COUNT = int(os.environ.get("INSIGHTS_MIN_COUNT", "5"))
    INSIGHTS_RETENTION_DAYS = int(os.environ.get("INSIGHTS_RETENTION_DAYS", "365"))
    # Each process adds up its counts of searches that found little and writes them this often.
    UNMET_NEED_FLUSH_SECONDS = float(os.environ.get("UNMET_NEED_FLUSH_SECONDS", "10"))
    RESULTS_PER_PAGE = 20
    # Cards from pre-rendered frames and links from per-page patterns (public/card_rendering.py);
    # off renders every card through its macros and every link through url_for, to the same bytes.
    CARD_FRAMES = _bool("CARD_FRAMES", True)
    # ORUK documents the API keeps built, per process (api/document_cache.py); 0 builds each every time.
    API_DOCUMENT_CACHE = int(os.environ.get("API_DOCUMENT_CACHE", "5000"))
    # Seconds the results page's harm-reduction box keeps the published resources (resources/finding.py).
    RESOURCE_SEARCH_SECONDS = float(os.environ.get("RESOURCE_SEARCH_SECONDS", "60"))
    TIMEZONE = "Europe/London"
    # Tests and demos may pin "now" (ISO 8601) so that open-now answers are reproducible.
    DIRECTORY_NOW = os.environ.get("DIRECTORY_NOW")


class ProductionConfig(Config):
    ENV_NAME = "production"
    # No default: production refuses to start without an https address (directory/security.py).
    DIRECTORY_BASE_URL = os.environ.get("DIRECTORY_BASE_URL", "")
    TRUSTED_HOSTS = trusted_hosts(DIRECTORY_BASE_URL, os.environ.get("TRUSTED_HOSTS"))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Production never prints mail (a reset link) to its logs: with no MAIL_SERVER it uses localhost.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or "smtp"
    MAIL_SEND_AT_ONCE = _bool("MAIL_SEND_AT_ONCE", False)
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105  (tests only)
    DIRECTORY_BASE_URL = "http://localhost"  # the test client's own address
    TRUSTED_HOSTS = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # replaced per test by the fixtures
    SQLALCHEMY_ENGINE_OPTIONS = {}
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SEARCH_POLL_SECONDS = 0  # tests drive the change log explicitly
    UNMET_NEED_FLUSH_SECONDS = 0  # written at once (tests of the waiting set it themselves)
    DIRECTORY_NOW = None
    MAIL_SERVER = ""
    MAIL_BACKEND = "locmem"  # flask_mailman's outbox list; tests with a real server set "smtp"
    MAIL_SEND_AT_ONCE = False


def config_for_environment():
    """Return the config class named by APP_ENV (development by default)."""
    return {"production": ProductionConfig, "development": Config}.get(
        os.environ.get("APP_ENV", "development"), Config
    )
