"""The test run's settings: the demo configuration (DEBUG=1, a test-only SECRET_KEY), fixed here before Django
loads its settings.

DEBUG is off unless DEBUG=1 is set, and production settings (HTTPS redirect, hashed static files, a required
secret) would get in the way of the tests. pytest-django would load the settings before any conftest runs
if pyproject.toml named DJANGO_SETTINGS_MODULE, so it does not: this file, the first conftest pytest imports,
sets the environment, names the settings module and sets Django up (pytest-django then finds it configured).
Tests of production settings start their own processes with an environment of their own
(tests/test_settings.py, tests/test_production_*.py).

The cache: with REDIS_URL (the PostgreSQL run) the tests use Redis, as production does. Without it the
servers' default is the database cache with sessions in the database (shared by every process), but this
test process is one process: it keeps a local-memory cache and cached_db sessions, so that tests may clear
the cache without a database and the pinned query counts do not count the session store. What several
processes share without Redis is tested with real gunicorn servers (tests/test_production_processes.py),
and the database cache's locked steps in tests/web/test_shared_cache.py.
"""

import os

os.environ["DEBUG"] = "1"
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-outside-the-test-run-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")

from django.conf import settings  # noqa: E402

if not settings.REDIS_URL:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402
from django.utils import translation  # noqa: E402


def pytest_configure(config):
    # A fresh clone has no var/ (it is ignored): the SQLite test database is created there.
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read messages in English unless they switch language themselves."""
    with translation.override("en"):
        yield


@pytest.fixture
def on_postgresql():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers are slow by design; tests check who may log in, not the hash's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_availability_cache(settings):
    # The pages keep availability for 2 s per process; a test books and looks again at once.
    settings.YOYAKU = {**settings.YOYAKU, "AVAILABILITY_CACHE_SECONDS": 0}
