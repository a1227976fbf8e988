"""Test settings: development mode, a temporary home, SQLite or BT_TEST_POSTGRES_URL."""

import os
import tempfile

os.environ.setdefault("BUERGERTICKET_MODE", "development")
os.environ.setdefault("BUERGERTICKET_HOME", tempfile.mkdtemp(prefix="bt-test-"))
if os.environ.get("BT_TEST_POSTGRES_URL"):
    os.environ["DATABASE_URL"] = os.environ["BT_TEST_POSTGRES_URL"]
else:
    os.environ.pop("DATABASE_URL", None)

from buergerticket.settings import *  # noqa: F403

# Fast hashing keeps fixtures quick; production uses Argon2 (see settings).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"].endswith("sqlite"):  # noqa: F405
    # A real file (not :memory:) so WAL, locking and concurrent writers behave as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test.sqlite3")}  # noqa: F405
