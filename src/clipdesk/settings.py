"""Django settings, read from the instance home and the environment.

Environment:
  CLIPDESK_HOME           instance folder (default ./clipdesk-data)
  DATABASE_URL            postgres://... to keep the data in PostgreSQL instead of SQLite
  CLIPDESK_SECRET_KEY     signing key (default: a key file in the home)
  CLIPDESK_DEBUG          1 for Django's debug pages (never in production)
  CLIPDESK_ALLOWED_HOSTS  comma-separated host names the site answers to
  CLIPDESK_PRODUCTION     1 for secure cookies and HSTS (the site is served over HTTPS)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from clipdesk.instance import home_dir, secret_key


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
    "django.contrib.admin",
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
    "clipdesk.digest",
    "clipdesk.archive",
    "clipdesk.server",
    "clipdesk.people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "clipdesk.urls"
WSGI_APPLICATION = "clipdesk.wsgi.application"

TEMPLATES = [
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

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
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
TIME_ZONE = os.environ.get("CLIPDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CLIPDESK_HOME / "static"
# Assets are served straight from the apps' static folders, so an instance needs no
# collectstatic step; whitenoise adds caching headers and compression.
WHITENOISE_USE_FINDERS = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLIPDESK_LOG_LEVEL", "WARNING")},
}

DIGEST_POSTS_PER_PAGE = 20
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/"
