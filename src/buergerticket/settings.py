"""Settings, read from the environment (twelve-factor).

Production is the default mode: a deployment that forgot to configure something
refuses to start instead of running with a guessable secret or open hosts. The
demo and the test suite switch to development mode explicitly.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("BUERGERTICKET_HOME", "./var")).resolve()
MODE = os.environ.get("BUERGERTICKET_MODE", "production")
if MODE not in {"production", "development"}:
    raise ImproperlyConfigured(
        f"BUERGERTICKET_MODE muss 'production' oder 'development' sein, nicht {MODE!r}."
    )
DEVELOPMENT = MODE == "development"
DEBUG = DEVELOPMENT and os.environ.get("BUERGERTICKET_DEBUG", "0") == "1"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret() -> str:
    """A per-installation random key for demo machines, kept across restarts."""
    path = HOME / "secret_key"
    if not path.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("BUERGERTICKET_SECRET_KEY") or (
    _development_secret() if DEVELOPMENT else ""
)
ALLOWED_HOSTS = _env_list(
    "BUERGERTICKET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEVELOPMENT else ""
)
CSRF_TRUSTED_ORIGINS = _env_list("BUERGERTICKET_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "buergerticket.core",
    "buergerticket.org",
    "buergerticket.catalog",
    "buergerticket.cases",
    "buergerticket.notify",
    "buergerticket.intake",
    "buergerticket.processes",
    "buergerticket.automation",
    "buergerticket.records",
    "buergerticket.knowledge",
    "buergerticket.workspace",
    "buergerticket.api",
    "buergerticket.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "buergerticket.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "buergerticket.urls"
WSGI_APPLICATION = "buergerticket.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buergerticket.workspace.nav.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
_sqlite_default = f"sqlite:///{HOME / 'buergerticket.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _sqlite_default), conn_max_age=600
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue on a lock file and take over at once (see core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "buergerticket.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN: two writers queue instead of
        # deadlocking on a lock upgrade, which keeps file numbers gap-free.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, sessions of htmx fragments) ----------------------
_cache_url = os.environ.get("BUERGERTICKET_CACHE_URL", "")
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "buergerticket_cache",
        }
    }
else:
    # A file cache is shared by every process on one machine, so rate limits
    # hold across gunicorn workers without another server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(HOME / "cache"),
        }
    }

# --- auth -----------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEVELOPMENT:
    SECURE_HSTS_SECONDS = int(os.environ.get("BUERGERTICKET_HSTS_SECONDS", "31536000"))
    SECURE_SSL_REDIRECT = os.environ.get("BUERGERTICKET_SSL_REDIRECT", "1") == "1"
    if os.environ.get("BUERGERTICKET_BEHIND_PROXY", "0") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Failed logins allowed per account and per client address within the window.
LOGIN_RATE_LIMIT = int(os.environ.get("BUERGERTICKET_LOGIN_RATE_LIMIT", "10"))
LOGIN_RATE_WINDOW_SECONDS = 15 * 60

# --- language and time ----------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("BUERGERTICKET_STATIC_ROOT", HOME / "static"))
NODE_MODULES = Path(
    os.environ.get("BUERGERTICKET_NODE_MODULES", PACKAGE_DIR.parent.parent / "node_modules")
)
# Front-end packages are served straight from their npm distribution folders.
STATICFILES_DIRS = [
    (f"vendor/{name}", NODE_MODULES / path)
    for name, path in {
        "kern": "@kern-ux/native/dist",
        "htmx": "htmx.org/dist",
        "chartjs": "chart.js/dist",
        "leaflet": "leaflet/dist",
        "bpmn-js": "bpmn-js/dist",
    }.items()
    if (NODE_MODULES / path).is_dir()
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(HOME / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEVELOPMENT
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEVELOPMENT
if DEVELOPMENT:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- mail -----------------------------------------------------------------
EMAIL_HOST = os.environ.get("BUERGERTICKET_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BUERGERTICKET_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("BUERGERTICKET_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BUERGERTICKET_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("BUERGERTICKET_SMTP_STARTTLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("BUERGERTICKET_SMTP_SSL", "0") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("BUERGERTICKET_FROM_EMAIL", "noreply@buergerticket.invalid")
# Without an SMTP host the demo writes mails to files instead of losing them.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("BUERGERTICKET_SMTP_HOST") or not DEVELOPMENT
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(HOME / "sent-mail")

# --- domain ---------------------------------------------------------------
# Cases whose deadline lies within this many working days count as "due soon".
DUE_SOON_WORKING_DAYS = int(os.environ.get("BUERGERTICKET_DUE_SOON_DAYS", "2"))
# Base address used in links that leave the system (mails, tracking links).
PUBLIC_BASE_URL = os.environ.get("BUERGERTICKET_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- e-mail channel (issue 4; docs/email.md) --------------------------------
# Fernet keys, comma-separated, newest first: they encrypt mailbox passwords
# and OAuth2 client secrets stored in the database ("fernet:…"). Older keys
# only decrypt, so keys can be rotated. Without a key, secrets can only be
# referenced from the environment ("env:NAME").
SECRETS_KEYS = _env_list("BUERGERTICKET_SECRETS_KEYS")
# Largest mail accepted (mailboxes can set their own); bigger ones are quarantined.
MAIL_MAX_MEGABYTES = int(os.environ.get("BUERGERTICKET_MAIL_MAX_MB", "25"))
# CA bundle to verify IMAP servers with (empty: the system's trust store).
MAIL_CA_FILE = os.environ.get("BUERGERTICKET_MAIL_CA_FILE", "")
# Addresses that are the system itself besides the organisations' mailboxes.
MAIL_OWN_ADDRESSES = [a.lower() for a in _env_list("BUERGERTICKET_MAIL_OWN_ADDRESSES")]
# More new mails than this from one sender within an hour look like a mail loop
# and go to the quarantine instead of opening case after case.
MAIL_LOOP_LIMIT_PER_HOUR = int(os.environ.get("BUERGERTICKET_MAIL_LOOP_LIMIT", "30"))
# How long the log keeps ignored mails' bytes, subjects and senders.
MAIL_LOG_RETENTION_DAYS = int(os.environ.get("BUERGERTICKET_MAIL_LOG_DAYS", "90"))
# --- end e-mail channel -------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BUERGERTICKET_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


def _unsafe_production_settings() -> list[str]:
    problems = []
    if len(SECRET_KEY) < 40:
        problems.append("BUERGERTICKET_SECRET_KEY fehlt oder ist kürzer als 40 Zeichen.")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("BUERGERTICKET_ALLOWED_HOSTS muss die Hostnamen ausdrücklich nennen.")
    if os.environ.get("BUERGERTICKET_DEBUG", "0") == "1":
        problems.append("BUERGERTICKET_DEBUG=1 ist im Produktivbetrieb nicht erlaubt.")
    return problems


if not DEVELOPMENT and (_problems := _unsafe_production_settings()):
    raise ImproperlyConfigured(
        "Unsichere Produktivkonfiguration, Start abgebrochen:\n- "
        + "\n- ".join(_problems)
        + "\nFür eine Demo BUERGERTICKET_MODE=development setzen."
    )

# --- portal (issue 3) -----------------------------------------------------
# Map tiles for the location picker, e.g. "https://tiles.example.org/{z}/{x}/{y}.png".
# Empty: the portal asks for an address only (no map, nothing loaded from elsewhere).
MAP_TILES = os.environ.get("BUERGERTICKET_MAP_TILES", "").strip()
MAP_TILES_ATTRIBUTION = os.environ.get("BUERGERTICKET_MAP_ATTRIBUTION", "")
# Where the map opens before a point is chosen: "latitude,longitude,zoom".
MAP_CENTER = os.environ.get("BUERGERTICKET_MAP_CENTER", "51.1657,10.4515,6")
# The tile server's origin is the one host the Content-Security-Policy allows for images.
MAP_TILE_ORIGIN = "/".join(MAP_TILES.split("/")[:3]) if "://" in MAP_TILES else ""
# clamd for uploads: a unix socket path or host:port; empty means no virus scan.
CLAMD = os.environ.get("BUERGERTICKET_CLAMD", "").strip()
PORTAL_UPLOAD_MAX_BYTES = int(os.environ.get("BUERGERTICKET_UPLOAD_MAX_MB", "10")) * 1024 * 1024
PORTAL_UPLOAD_MAX_FILES = int(os.environ.get("BUERGERTICKET_UPLOAD_MAX_FILES", "5"))
# Rate limits of the public portal, hits per hour (per client address / per account).
PORTAL_SUBMIT_LIMIT_IP = int(os.environ.get("BUERGERTICKET_PORTAL_SUBMIT_LIMIT", "30"))
PORTAL_SUBMIT_LIMIT_ACCOUNT = int(os.environ.get("BUERGERTICKET_PORTAL_ACCOUNT_LIMIT", "20"))
PORTAL_REPLY_LIMIT = int(os.environ.get("BUERGERTICKET_PORTAL_REPLY_LIMIT", "60"))
PORTAL_ACCOUNT_MAIL_LIMIT = int(os.environ.get("BUERGERTICKET_PORTAL_ACCOUNT_MAIL_LIMIT", "10"))
PORTAL_TRACKING_FAILURE_LIMIT = int(os.environ.get("BUERGERTICKET_PORTAL_TRACKING_LIMIT", "30"))
# --- end portal -----------------------------------------------------------

# --- issue 8: interfaces and steering (API, Open311, webhooks, dashboard) ---
INSTALLED_APPS += ["buergerticket.workspace.dashboard"]
# Requests per minute and API client (REST and Open311 POST); 0 switches the limit off.
API_RATE_LIMIT = int(os.environ.get("BUERGERTICKET_API_RATE_LIMIT", "1200"))
# Webhooks must use https in production; plain http only for development or a trusted LAN.
WEBHOOK_ALLOW_HTTP = DEVELOPMENT or os.environ.get("BUERGERTICKET_WEBHOOK_ALLOW_HTTP", "0") == "1"
# --- end issue 8 ---

# --- automation (issue 6) -------------------------------------------------
# Where the CSV contract connector leaves one file per changed installment for
# the billing system; per-organisation connectors as JSON, e.g.
# {"stadtwerke": {"kind": "csv", "writeback_dir": "/srv/abrechnung/eingang"}}.
CONTRACT_WRITEBACK_DIR = Path(
    os.environ.get("BUERGERTICKET_CONTRACT_WRITEBACK_DIR", HOME / "contracts" / "writeback")
)
CONTRACT_CONNECTORS = os.environ.get("BUERGERTICKET_CONTRACT_CONNECTORS", "")
# The Abschlag rule stops when the newest contract import is older than this (0: never).
CONTRACT_MAX_AGE_HOURS = int(os.environ.get("BUERGERTICKET_CONTRACT_MAX_AGE_HOURS", "48"))
# --- end automation -------------------------------------------------------
# --- processes (issue 5) ----------------------------------------------------
# SpiffWorkflow logs every task state change at INFO; that is engine detail, not
# operations information (and costs time on every step).
_loggers: dict[str, dict[str, str]] = LOGGING["loggers"]  # type: ignore[assignment]
_loggers["spiff"] = {"level": os.environ.get("BUERGERTICKET_SPIFF_LOG_LEVEL", "WARNING")}


# --- records (archive, search, retention) ----------------------------------
# Where approved disposal runs write the archival packages for the public archive.
RECORDS_ARCHIVE_DIR = Path(os.environ.get("BUERGERTICKET_ARCHIVE_DIR", str(HOME / "archiv-abgabe")))
# A search matching more cases ranks the newest this many (see docs/records.md).
SEARCH_CANDIDATE_LIMIT = int(os.environ.get("BUERGERTICKET_SEARCH_CANDIDATE_LIMIT", "3000"))
# --- end records ------------------------------------------------------------
