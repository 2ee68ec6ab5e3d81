"""Sessions in Redis (SESSION_ENGINE with REDIS_URL): Django's cache sessions, except that Redis down is a fault.

Django's cache session store reads a session it cannot fetch as empty: with Redis down for a moment, every
resident would be logged out, their session cookie deleted and the booking in progress lost, even if Redis
comes back a second later with everything in it. Here a fault of the cache (web/faults.py) is raised, so
the resident gets the 503 page, keeps the cookie and carries on when Redis is back. Any other error (an
invalid key) still reads as an empty session, as in Django.

A new session (every login: a new key) takes one round trip less than Django's: Django asks the cache whether
a new random key is taken before `create` writes it with SET NX (cache.add), which refuses a key that is taken
anyway (and `create` then draws another). The question adds nothing but a round trip (issue 11).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.utils.crypto import get_random_string

from .faults import fault_kind


class SessionStore(CacheSessionStore):
    def load(self):
        try:
            session_data = self._cache.get(self.cache_key)
        except Exception as error:
            if fault_kind(error):
                raise
            session_data = None
        if session_data is not None:
            return session_data
        self._session_key = None
        return {}

    def _get_new_session_key(self):
        # 32 of 36 characters (165 bits), as Django draws them; a taken key is refused by create's SET NX.
        return get_random_string(32, VALID_KEY_CHARS)
