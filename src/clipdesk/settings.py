"""Django settings, read from the instance home and the environment.

Environment:
  CLIPDESK_HOME           instance folder (default ./clipdesk-data)
  DATABASE_URL            postgres://... to keep the data in PostgreSQL instead of SQLite
  CLIPDESK_SECRET_KEY     signing key (default: a key file in the home)
  CLIPDESK_DEBUG          1 for Django's debug pages (never in production)
  CLIPDESK_ALLOWED_HOSTS  comma-separated host names the site answers to
  CLIPDESK_PRODUCTION     1 for secure cookies and HSTS (the site is served over HTTPS)
  CLIPDESK_CACHE_URL      redis://host:port/db to share the page cache between processes
                          (default: each process's own memory)
  CLIPDESK_STATIC_TARGET  folder of the static copy, refreshed when posts are (un)published
  CLIPDESK_TRUSTED_PROXIES  comma-separated addresses or networks of the reverse proxies in
                          front, believed about the client's address (X-Forwarded-For)
"""

from __future__ import annotations

import math
import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from clipdesk.instance import home_dir, secret_key
from clipdesk.people.addresses import trusted_proxies


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


CLIPDESK_HOME: Path = home_dir()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = secret_key(CLIPDESK_HOME)
DEBUG = _flag("CLIPDESK_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CLIPDESK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # The admin's registrations are read with the site's URLs (urls.py), not at every start:
    # a command that serves no page (a poller, each of two started together) imported every
    # admin module and Django's auth forms for nothing, a tenth of its start-up.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "clipdesk.sources",
    "clipdesk.articles",
    "clipdesk.watch",
    "clipdesk.stories",
    "clipdesk.search",
    "clipdesk.digest",
    "clipdesk.archive",
    "clipdesk.server",
    "clipdesk.people",
    "clipdesk.publish",
]

MIDDLEWARE = [
    "clipdesk.server.security.ForwardedOnlyByTrustedProxiesMiddleware",
    "clipdesk.server.head.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clipdesk.server.security.ContentSecurityPolicyMiddleware",
    # Pages, feeds, scripts and styles compressed for clients that accept it.
    "clipdesk.server.compression.CompressTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached public pages are answered here, before the middleware below, which serve
    # signed-in editors (publish/caching.py).
    "clipdesk.publish.caching.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "clipdesk.urls"
WSGI_APPLICATION = "clipdesk.wsgi.application"

TEMPLATES = [
    # The public site (each app's jinja2/ folder): compiled templates, see digest/jinja.py.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "clipdesk.digest.jinja.environment",
            "context_processors": ["clipdesk.digest.context_processors.site_profile"],
        },
    },
    # The admin and the editor's desk.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clipdesk.digest.context_processors.site_profile",
            ],
        },
    },
]


def _postgres_from_url(url: str) -> dict:
    """DATABASE_URL as Django's settings, refused here when it is not PostgreSQL: another
    engine would fail later, in a driver import or a query, with a traceback. The message
    never repeats the address, which may hold a password."""
    try:
        # Connections are kept a minute between requests, and checked before a request uses
        # one again: after PostgreSQL restarts, each kept connection is dead, and without the
        # check the first request of every server thread would answer 500.
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError:  # an unknown scheme, or not an address at all
        database, given = {}, "the value given is not an address"
    else:
        given = f"{url.split(':', 1)[0]}:// is another database"
    if database.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must be a PostgreSQL address such as postgres://user@host:5432/name "
            f"({given}); without DATABASE_URL the data is kept in SQLite in the instance home"
        )
    return database


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _postgres_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": CLIPDESK_HOME / "clipdesk.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; the busy timeout makes a
                # second writer wait instead of failing at once; IMMEDIATE takes the write
                # lock at BEGIN so two writers cannot deadlock on a lock upgrade. Django
                # itself turns foreign keys on for every SQLite connection.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("CLIPDESK_TIME_ZONE", "").strip() or "UTC"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    # Django's own check is a traceback from every command, `run` included.
    raise ImproperlyConfigured(
        f"settings: CLIPDESK_TIME_ZONE {TIME_ZONE!r} is no time zone; give an IANA name "
        "such as Europe/Paris or UTC"
    ) from exc
USE_I18N = True
USE_TZ = True

# The search engine, when chosen (search/backends): one this build knows, and PostgreSQL's
# only on PostgreSQL. Found wrong at the first search, it was a traceback there.
SEARCH_ENGINES = ("tantivy", "postgres")
if _engine := os.environ.get("CLIPDESK_SEARCH_ENGINE", "").strip():
    if _engine not in SEARCH_ENGINES:
        raise ImproperlyConfigured(
            f"settings: CLIPDESK_SEARCH_ENGINE {_engine!r} is no search engine; "
            "give tantivy or postgres, or leave it unset"
        )
    if _engine == "postgres" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "settings: CLIPDESK_SEARCH_ENGINE postgres needs a PostgreSQL database (DATABASE_URL)"
        )

STATIC_URL = "static/"
STATIC_ROOT = CLIPDESK_HOME / "static"
# Assets are served straight from the apps' static folders, so an instance needs no
# collectstatic step; whitenoise adds caching headers (a minute, then revalidated: the
# names carry no content hash), GZipMiddleware the compression.
WHITENOISE_USE_FINDERS = True


# Public pages are cached (clipdesk.publish.caching); Redis shares them between processes.
# A GET takes well under a millisecond: a Redis that takes a second to connect or answer is
# treated as down (the pages are then rendered uncached) rather than waited for.
def _redis_database_checked(name: str, url: str) -> None:
    """A Redis address's database is a number ("redis://host:6379/2"): redis-py reads
    "/notanumber" as database 0, where another program's keys may live, and Celery stopped
    on "/11/" with a traceback. A port is a number too, for any broker or cache."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}: the port in {parts.scheme}://{parts.netloc.rpartition('@')[2]} is no "
            "port number"
        ) from None
    database = parts.path.removeprefix("/")
    if parts.scheme in ("redis", "rediss") and database and not database.isdigit():
        raise ImproperlyConfigured(
            f"{name}: the database in {parts.scheme}://{parts.hostname or ''}/{database} must "
            "be a number (redis://host:6379/0)"
        )


if cache_url := os.environ.get("CLIPDESK_CACHE_URL", "").strip():
    if not cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "CLIPDESK_CACHE_URL must be a Redis address such as redis://127.0.0.1:6379/0; "
            "without it each process keeps its pages in its own memory"
        )
    _redis_database_checked("CLIPDESK_CACHE_URL", cache_url)
    _redis = {
        "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
        "LOCATION": cache_url,
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
    }
    CACHES = {"default": _redis, "sign_in": _redis}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Failed sign-ins are counted where every worker of the server sees them (people/
        # throttle.py): each process's memory let five guesses a worker through, ten on two.
        "sign_in": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CLIPDESK_HOME / "cache" / "sign-in",
        },
    }

# The static copy (`clipdesk export-static`) to refresh when posts are (un)published.
CLIPDESK_STATIC_TARGET = os.environ.get("CLIPDESK_STATIC_TARGET", "")

# The reverse proxies in front, whose X-Forwarded-For names the client that sign-in throttling
# counts (people/addresses.py); none by default, and the header is then never read.
CLIPDESK_TRUSTED_PROXIES = trusted_proxies(os.environ.get("CLIPDESK_TRUSTED_PROXIES", ""))

# Security headers that cost nothing on plain HTTP; the HTTPS-only ones follow below.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if _flag("CLIPDESK_PRODUCTION"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_LOG_LEVEL = os.environ.get("CLIPDESK_LOG_LEVEL", "WARNING")
# trafilatura and htmldate warn about their own steps on ordinary pages ("discarding data"),
# which an editor running `poll` cannot act on: shown only when more logging is asked for.
_EXTRACTOR_LEVEL = _LOG_LEVEL if _LOG_LEVEL.upper() in ("DEBUG", "INFO") else "ERROR"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    # A request naming another site in its Host header (a scanner's, or a missing entry in
    # CLIPDESK_ALLOWED_HOSTS) is answered 400 and logged on one line, not with a traceback.
    "filters": {
        "no_traceback": {"()": "clipdesk.server.logs.WithoutTraceback"},
        "first_line": {"()": "clipdesk.server.logs.FirstLineOnly"},
        "refusal_in_one_line": {"()": "clipdesk.server.logs.RefusalWithoutTraceback"},
    },
    "loggers": {
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "filters": ["no_traceback"],
            "propagate": False,
        },
        # A 403 (PermissionDenied) is a warning of one line; other errors keep their stack.
        "django.request": {"filters": ["refusal_in_one_line"]},
        "celery.beat": {"filters": ["first_line"]},
        "trafilatura": {"level": _EXTRACTOR_LEVEL},
        "htmldate": {"level": _EXTRACTOR_LEVEL},
    },
}

DIGEST_POSTS_PER_PAGE = 20
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/"


# --- Task queue (Celery): read only by `clipdesk worker` and `clipdesk scheduler` -------------
# Without CLIPDESK_BROKER_URL every ingest step runs in process and nothing Celery-related is
# imported. See docs/celery.md.
#   CLIPDESK_BROKER_URL          redis://host:6379/0 or amqp://user:pass@host:5672/vhost
#   CLIPDESK_REDIS_URL           Redis for the per-host request limit shared by all workers
#                                (default: the broker URL when the broker is Redis); without
#                                it the database shares the limit (advisory locks on
#                                PostgreSQL, lock files in the home on SQLite)
#   CLIPDESK_FETCH_PER_HOST      requests in flight per host, across all workers and every
#                                `clipdesk poll` of the instance (default 2)
#   CLIPDESK_SCHEDULER_INTERVAL  seconds between two looks for due sources (default 30)
#   CLIPDESK_BROKER_VISIBILITY_TIMEOUT  Redis only: seconds before a task whose worker died
#                                is handed to another worker (default 300)
def _positive_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = 0
    if not (value > 0 and math.isfinite(value)):
        # ImproperlyConfigured: `clipdesk` says it in one line, where a ValueError was a
        # traceback from every command, `run` included.
        raise ImproperlyConfigured(f"settings: {name} must be a positive number, not {raw!r}")
    return value


BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")
CELERY_BROKER_URL = os.environ.get("CLIPDESK_BROKER_URL", "").strip()
if CELERY_BROKER_URL:
    # Celery reads "nonsense" as amqp://nonsense:5672 and retries a host that does not exist
    # for ever; "http://" ended in a KeyError.
    _broker = urlsplit(CELERY_BROKER_URL)
    if _broker.scheme not in BROKER_SCHEMES or not _broker.netloc:
        raise ImproperlyConfigured(
            "CLIPDESK_BROKER_URL must be a Redis or RabbitMQ address (redis://host:6379/0, "
            "amqp://user:password@host:5672/vhost)"
        )
    _redis_database_checked("CLIPDESK_BROKER_URL", CELERY_BROKER_URL)
_visibility = int(_positive_env("CLIPDESK_BROKER_VISIBILITY_TIMEOUT", 300))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis has no acknowledgements of its own: a task taken but not acknowledged (its worker
    # died) goes back on the queue after this many seconds. Longer than any task runs (a
    # fetch ends within CLIPDESK_FETCH_TIMEOUT); short enough that a crash costs minutes.
    "visibility_timeout": _visibility,
    # Look for such tasks every few seconds, not kombu's default of every 100.
    "unacked_restore_interval": max(1, min(10, _visibility // 3)),
    "unacked_restore_throttle": 1,
}
CLIPDESK_REDIS_URL = os.environ.get("CLIPDESK_REDIS_URL", "").strip() or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
CLIPDESK_FETCH_PER_HOST = int(_positive_env("CLIPDESK_FETCH_PER_HOST", 2))
CLIPDESK_SCHEDULER_INTERVAL = _positive_env("CLIPDESK_SCHEDULER_INTERVAL", 30)
# --- end of the task queue block ------------------------------------------------------------
