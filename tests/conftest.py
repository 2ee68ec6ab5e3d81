import pytest
from django.conf import settings
from django.utils import translation


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
