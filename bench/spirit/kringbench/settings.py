"""Spirit for the benchmark: SQLite, DEBUG off, loopback hosts, quiet logging.

Used as DJANGO_SETTINGS_MODULE=kringbench.settings with bench/spirit/ on the Python path and the
project made by `spirit startproject spiritsite` in bench/spirit/site/.
"""
import os

from spiritsite.settings.base import *  # noqa: F401,F403

SITE_DIR = os.environ.get("SPIRIT_SITE_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "site")
BASE_DIR = SITE_DIR

DEBUG = False
SECRET_KEY = "kring-bench-spirit-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = INSTALLED_APPS + ["kringbench.apps.KringBenchConfig"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(SITE_DIR, "db.sqlite3"),
        # As Kring runs SQLite: WAL, so readers do not wait for the view counter's writes
        # (Spirit updates Topic.view_count on every topic page). Django >= 5.1 runs this per connection.
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }
}

# As Spirit's own dev settings: per-process memory caches instead of database cache tables.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "st_rate_limit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "spirit_rl_cache",
        "TIMEOUT": None,
    },
}

STATIC_ROOT = os.path.join(SITE_DIR, "static")
MEDIA_ROOT = os.path.join(SITE_DIR, "media")
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": os.path.join(SITE_DIR, "st_search"),
    }
}

# Only the fill signs anybody up; a fast hasher keeps it quick (nobody logs in during the benchmark).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ST_SITE_URL = "http://127.0.0.1/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
    "loggers": {"django": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
