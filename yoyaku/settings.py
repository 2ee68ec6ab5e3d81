"""Settings, all from the environment so one build serves every city.

Safe by default: DEBUG is off unless DEBUG=1 is set (`make run` sets it for the demo), and with DEBUG off
the server refuses to start without SECRET_KEY and ALLOWED_HOSTS. Production sets SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL; docs/architecture.md ("City settings",
"Production and faults") lists every variable.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YOYAKU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class SettingsError(ImproperlyConfigured):
    """A setting the server cannot run without. Shown as one line, not a traceback, when nothing catches it."""


def refuse(message: str):
    previous_hook = sys.excepthook

    def one_line(kind, value, traceback):
        if isinstance(value, SettingsError):
            sys.stderr.write(f"ImproperlyConfigured: {value}\n")
        else:
            previous_hook(kind, value, traceback)

    sys.excepthook = one_line
    raise SettingsError(message)


# Off unless asked for: a server started with a forgotten variable must not show the debug pages or the dev
# inbox (/dev/mail/, every resident's emails) to the world.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        refuse("SECRET_KEY must be set when DEBUG is off (50+ random characters; DEBUG=1 is for the demo only).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    refuse("ALLOWED_HOSTS must be set when DEBUG is off (the site's host names, comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "yoyaku.booking",
    "yoyaku.notify",
    "yoyaku.web",
    "yoyaku.portal",
    "yoyaku.console",
    "yoyaku.api",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: /healthz for load balancers, before the HTTPS redirect, the host check and the gate (web/health.py).
    "yoyaku.web.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The database or Redis failing in a view: the 503 page (web/faults.py; handler500 in urls.py for the rest).
    "yoyaku.web.faults.FaultMiddleware",
    "yoyaku.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and the database: a resident in the waiting room costs one cache round trip.
    "yoyaku.gate.AdmissionGateMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# YOYAKU_LOG_FORMAT=json: one JSON line per request (method, masked path, status, duration), and every
# log line as JSON (web/logs.py). The default, text, logs no line per request.
LOG_FORMAT = os.environ.get("YOYAKU_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    refuse(f"YOYAKU_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
if LOG_FORMAT == "json":
    MIDDLEWARE = ["yoyaku.web.logs.RequestLogMiddleware", *MIDDLEWARE]

if os.environ.get("YOYAKU_BENCH_FLOOR"):  # benchmarks only: per-request CPU time in a response header
    MIDDLEWARE = ["yoyaku.floor.ServerCpuMiddleware", *MIDDLEWARE]

ROOT_URLCONF = "yoyaku.urls"
WSGI_APPLICATION = "yoyaku.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yoyaku" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yoyaku.web.context.site",
                "yoyaku.portal.context.resident",
                "yoyaku.console.context.staff",
            ],
        },
    },
]
# Django's renderer with the plain <input> widgets written in Python, same markup (web/renderer.py: issue 11).
FORM_RENDERER = "yoyaku.web.renderer.Renderer"

# --- Database -----------------------------------------------------------------------------------
# SQLite by default: WAL so readers never wait for the writer, IMMEDIATE so a write transaction takes
# the write lock at BEGIN (no deadlock-prone lock upgrade), and a busy timeout so concurrent writers
# queue instead of failing. The same options whether the file is the default one or named by
# DATABASE_URL=sqlite:///path. PostgreSQL in production through DATABASE_URL.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "yoyaku.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": float(os.environ.get("SQLITE_TIMEOUT", "30")),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database(url: str) -> dict:
    """The `default` database from DATABASE_URL (or the SQLite file under var/ when empty)."""
    if url:
        config = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH, "CONN_MAX_AGE": CONN_MAX_AGE,
                  "CONN_HEALTH_CHECKS": True}
    test_name = os.environ.get("TEST_DATABASE_NAME")  # two test runs at once each need their own database
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # A file, not :memory:, so that the concurrency tests' threads share one database.
        config["TEST"] = {"NAME": test_name or str(VAR_DIR / "test.sqlite3")}
    else:
        # Unreachable database: a page answers 503 after this many seconds instead of hanging its worker.
        timeout = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", timeout)
        if test_name:
            config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": database(DATABASE_URL)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------------------
# Sessions, login throttles and the admission gate's line must be shared by every app process and server.
# With REDIS_URL: Redis for all three. Without: sessions in the database and Django's database cache
# (table yoyaku_cache, created by the migration web/0001), so several processes on one machine still share
# them. Never a per-process cache: another worker would not see the resident's form or the failed logins.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TABLE = "yoyaku_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "yoyaku.web.redis_cache.RedisCache",  # Django's, one client per pool (web/redis_cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "yoyaku"),
            # Redis down: a page answers 503 within seconds instead of hanging its worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Django's cache sessions, except that Redis down is the 503 page rather than a silent logout.
    SESSION_ENGINE = "yoyaku.web.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "yoyaku"),
            # Culling drops entries, throttle counters included: only far beyond a day's normal use.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/login/"
OTP_TOTP_ISSUER = os.environ.get("YOYAKU_CITY_NAME", "Yoyaku")

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
]
# The language chosen with the switch on every page is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "yoyaku" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
# Our date patterns per language (yoyaku/web/formats): pages, errors and emails write dates one way.
FORMAT_MODULE_PATH = "yoyaku.web.formats"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "yoyaku" / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # the demo serves static files straight from the source folders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "yoyaku@localhost")

# --- The outbox worker (yoyaku/notify/conf.py: keys, defaults, checks) ------------------------------
# Only the variables that are set; conf.py checks them, so a wrong value stops run_worker with one line.
NOTIFY = {
    key: os.environ[f"YOYAKU_NOTIFY_{key}"].strip()
    for key in ("MAX_ATTEMPTS", "BACKOFF_SECONDS", "BACKOFF_MAX_SECONDS", "BATCH_SIZE", "LEASE_SECONDS",
                "SEND_TIMEOUT", "POLL_SECONDS", "REMINDER_TIME", "REMINDER_EVERY_SECONDS", "MAIL_HOST",
                "SMS_URL", "SMS_TOKEN", "SMS_SENDER", "LINE_TOKEN", "LINE_API_URL")
    if os.environ.get(f"YOYAKU_NOTIFY_{key}", "").strip()
}
# SMS and LINE without a provider (docs/channels.md): with DEBUG they go to the dev inbox (the demo), otherwise
# the channel is not offered. A city may route a channel to another adapter here, e.g. {"sms": "log"}.
NOTIFY_ADAPTERS = {channel: "console" for channel, key in (("sms", "SMS_URL"), ("line", "LINE_TOKEN"))
                   if DEBUG and key not in NOTIFY}

# --- Security (production) --------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True  # every cookie Secure in production (the gate's and the text size's too)
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it
# Checks the city has looked at and accepted, e.g. yoyaku.W001 (the proxy count: web/checks.py).
SILENCED_SYSTEM_CHECKS = [name.strip() for name in os.environ.get("YOYAKU_SILENCED_CHECKS", "").split(",")
                          if name.strip()]
CSRF_COOKIE_SAMESITE = "Lax"

# --- Logging: no personal data. Reservation codes and ticket numbers never go to the log. ---------
# Paths in Django's request log lines are masked (web/logs.py); YOYAKU_LOG_FORMAT picks text or JSON lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_paths": {"()": "yoyaku.web.logs.MaskPathsFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s: %(message)s"},
        "json": {"()": "yoyaku.web.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_paths"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- The city's settings --------------------------------------------------------------------------
# Each is documented in docs/architecture.md ("City settings").
YOYAKU = {
    # Trusted proxies in front of the app (nginx: 1), for the client's address (web/request.py).
    "PROXY_COUNT": int(os.environ.get("YOYAKU_PROXY_COUNT", "0")),
    # Overrides of the login throttle's limits (web/throttle.py: TICKET_LIMIT, ADDRESS_SLOW, ...); tests use it.
    "LOGIN_THROTTLE": {},
    "CITY_NAME": os.environ.get("YOYAKU_CITY_NAME", "デモ市"),
    # Web change/cancel (and web booking) allowed until this many days before the appointment, at
    # the given local time. 2 and "23:59" mean: for a Friday appointment, until Wednesday 23:59.
    "WEB_DEADLINE_DAYS_BEFORE": int(os.environ.get("YOYAKU_WEB_DEADLINE_DAYS_BEFORE", "2")),
    "WEB_DEADLINE_TIME": os.environ.get("YOYAKU_WEB_DEADLINE_TIME", "23:59"),
    # Dose 2 normally uses the same vaccine as dose 1; a city may allow a switch.
    "ALLOW_VACCINE_SWITCH": env_bool("YOYAKU_ALLOW_VACCINE_SWITCH", False),
    "MAX_DOSE": int(os.environ.get("YOYAKU_MAX_DOSE", "2")),
    "CALL_CENTRE_PHONES": env_list("YOYAKU_CALL_CENTRE_PHONES", "0120-000-000,0195-00-0000"),
    "CALL_CENTRE_HOURS": os.environ.get("YOYAKU_CALL_CENTRE_HOURS", "9:00〜17:00（土日祝を除く）"),
    # The busy pages keep availability per process this long (seconds; 0 turns it off).
    "AVAILABILITY_CACHE_SECONDS": float(os.environ.get("YOYAKU_AVAILABILITY_CACHE_SECONDS", "2")),
    # The admission gate (yoyaku/gate.py): residents let in per second at opening time; 0 turns it off.
    "GATE_RATE": float(os.environ.get("YOYAKU_GATE_RATE", "0")),
    "GATE_BURST": float(os.environ.get("YOYAKU_GATE_BURST", "0")),
    "GATE_ADMIT_SECONDS": int(os.environ.get("YOYAKU_GATE_ADMIT_SECONDS", "1800")),
    # Booking opens at this local date-time (2026-06-01T09:00): who arrives before waits in a pre-line put in a
    # random order at that moment (gate.py, docs/security.md). Empty: no pre-line.
    "GATE_OPENS_AT": os.environ.get("YOYAKU_GATE_OPENS_AT", "").strip(),
    # Numbers one client address may draw per GATE_DRAW_WINDOW seconds (docs/security.md: why 20).
    "GATE_DRAWS_PER_ADDRESS": int(os.environ.get("YOYAKU_GATE_DRAWS_PER_ADDRESS", "20")),
    "GATE_DRAW_WINDOW": int(os.environ.get("YOYAKU_GATE_DRAW_WINDOW", "600")),
    # What to bring on the day, "|"-separated, in the city's words. Empty: a translated standard list.
    "WHAT_TO_BRING": [item.strip() for item in os.environ.get("YOYAKU_WHAT_TO_BRING", "").split("|") if item.strip()],
    # Move-up offers (booking/services/offers.py): a freed place is emailed to the best candidates.
    "MOVE_UP_OFFERS": env_bool("YOYAKU_MOVE_UP_OFFERS", True),
    # Places the move-up list leaves unoffered are offered by email to the waiting list (StandbyEntry, any venue).
    "WAITING_LIST_OFFERS": env_bool("YOYAKU_WAITING_LIST_OFFERS", True),
    "MOVE_UP_OFFERS_PER_PLACE": int(os.environ.get("YOYAKU_MOVE_UP_OFFERS_PER_PLACE", "3")),
    "MOVE_UP_OFFER_MINUTES": int(os.environ.get("YOYAKU_MOVE_UP_OFFER_MINUTES", "60")),
    "MOVE_UP_OFFER_MIN_HOURS": float(os.environ.get("YOYAKU_MOVE_UP_OFFER_MIN_HOURS", "3")),
    # Offer windows that shorten as the day nears (docs/architecture.md, "Stewardship"): this share of the
    # time left before the slot, at least MOVE_UP_OFFER_MIN_MINUTES, at most MOVE_UP_OFFER_MINUTES; 0: fixed.
    "MOVE_UP_OFFER_WINDOW_SHARE": float(os.environ.get("YOYAKU_MOVE_UP_OFFER_WINDOW_SHARE", "0")),
    "MOVE_UP_OFFER_MIN_MINUTES": int(os.environ.get("YOYAKU_MOVE_UP_OFFER_MIN_MINUTES", "15")),
    # Households (docs/allocation.md, Households): family members one logged-in resident may add and book for.
    "HOUSEHOLD_LIMIT": int(os.environ.get("YOYAKU_HOUSEHOLD_LIMIT", "6")),
    "SITE_URL": os.environ.get("YOYAKU_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
}
