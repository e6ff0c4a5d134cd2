"""Settings for Django Lab: one file, driven by environment variables.

Defaults suit a learner's laptop (DEBUG on, SQLite, local-memory caches, the
debug toolbar). A classroom sets DJANGO_DEBUG=0 and must then give a secret key,
hosts, DATABASE_URL and REDIS_URL; mistakes there fail loudly at start-up.

One file by design (past the usual 300 lines): every setting, its environment variable and its reason
are in one place to read.
"""

import os
from pathlib import Path
from typing import NoReturn

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAB_VAR_DIR", BASE_DIR / "var"))


def refuse(message: str) -> NoReturn:
    """Stop at start-up with one clear line (no traceback): a configuration mistake, not a bug."""
    raise SystemExit(f"Django Lab settings: {message}")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    refuse(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        refuse(f"{name} must be an integer, not {value!r}.")
    if minimum is not None and number < minimum:
        refuse(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        refuse(f"{name} must be a number, not {value!r}.")
    if not number > minimum:
        refuse(f"{name} must be more than {minimum:g}, not {value}.")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        refuse(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        refuse("DJANGO_SECRET_KEY is not set: refusing to start with DEBUG off and no secret key.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-a-classroom"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The debug toolbar is a local tool: it is installed only when DEBUG is on.
TOOLBAR_ENABLED = DEBUG and env_bool("LAB_TOOLBAR", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "lessons",
    "sandbox",
    "lab",
    "demos",
    "exercises",
]
if TOOLBAR_ENABLED:
    INSTALLED_APPS.append("debug_toolbar")

# Outermost first: requests go down this list, responses come back up it.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The site's own layers (the Middleware track's capstone): above Django's,
    # so their timing and log line cover everything below.
    "sandbox.middleware.RequestIDMiddleware",
    "sandbox.middleware.RequestLogMiddleware",
    "sandbox.middleware.ServerTimingMiddleware",
    "sandbox.middleware.SecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lab.learners.LearnerMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sandbox.middleware.MaintenanceModeMiddleware",
]
# LAB_SITE_MIDDLEWARE=0 drops the site's own layers (bench/middleware.py measures their cost).
if not env_bool("LAB_SITE_MIDDLEWARE", True):
    MIDDLEWARE = [
        m
        for m in MIDDLEWARE
        if not m.startswith("sandbox.middleware.")
        or m.endswith(("MaintenanceModeMiddleware", "SecurityPolicyMiddleware"))
    ]
if TOOLBAR_ENABLED:
    # First, so its panels see every other layer.
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
# Live reload while writing a course (django-browser-reload): a page reloads when a lesson, a template, a static
# file or a Python module changes. Local mode only: never installed with DEBUG off. Its script is a static file
# the middleware links before </body> (no inline script, so a strict Content-Security-Policy allows it).
LAB_LIVE_RELOAD = DEBUG and env_bool("LAB_LIVE_RELOAD", True)
if LAB_LIVE_RELOAD:
    INSTALLED_APPS.append("django_browser_reload")
    # Outermost, above the toolbar: local tools stay outside the site's own layers (which demos show as they
    # are), and the toolbar's headers panel still sees the site's response as it was.
    MIDDLEWARE.insert(0, "django_browser_reload.middleware.BrowserReloadMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "lessons.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets learners read while another learner's demo writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
MEMCACHED_LOCATION = os.environ.get("MEMCACHED_LOCATION", "")

CACHE_DIR = VAR_DIR / "cache"


def learner_cache(backend: str, location: str, **extra) -> dict:
    """A cache the caching track experiments on: Django's backend, recorded, with each learner's keys apart."""
    return {"BACKEND": f"lab.caches.{backend}", "LOCATION": location, "KEY_FUNCTION": "lab.caches.learner_key", **extra}


# The site's own caches, then the caching track's backends (locmem, file, db, redis, memcached):
# their classes only add recording to Django's own backends (lab.caches).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "default",
    },
    # Rendered lesson HTML, keyed by content hash. `manage.py clear_lessons` clears only this.
    "lessons": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lessons",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "toolbar": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "toolbar",
    },
    "locmem": learner_cache("LocMemCache", "locmem"),
    "file": learner_cache("FileBasedCache", str(CACHE_DIR / "file")),
    "db": learner_cache("DatabaseCache", "lab_cache_table"),
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Limits and locks live here: a hung Redis must cost a run half a second, not redis-py's
        # default of seconds, before lab.limits falls back to per-process limits.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES["redis"] = learner_cache("RedisCache", REDIS_URL)
if MEMCACHED_LOCATION:
    CACHES["memcached"] = learner_cache(
        "PyMemcacheCache", MEMCACHED_LOCATION, OPTIONS={"connect_timeout": 0.5, "timeout": 1}
    )


# Sessions live in signed cookies: no database write per learner, and any
# number of classroom workers agree on who a learner is.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# A classroom serves hashed, compressed static files (after `collectstatic`); a laptop serves them as they are.
LAB_STATIC_MANIFEST = env_bool("LAB_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if LAB_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Every message a demo sends shows in its report (lab.mail). Django 6.1 configures email with MAILERS and
# deprecates EMAIL_BACKEND; 5.2 has only EMAIL_BACKEND.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "lab.mail.EmailBackend"}}
else:
    EMAIL_BACKEND = "lab.mail.EmailBackend"
DEFAULT_FROM_EMAIL = "shop@bookshop.example"

# Lessons: the course folder, then extra content folders (colon- or comma-separated absolute paths).
LAB_CONTENT_ROOT = BASE_DIR / "content"
LAB_CONTENT_DIRS = [Path(p) for p in env_list("LAB_CONTENT_DIRS", []) for p in p.split(":") if p]
# A course kept in its own folder brings its demos (and teaching code) as a Python package beside its
# Markdown: `LAB_COURSE_PACKAGES=mycourse` imports <content dir>/mycourse/demos/*.py (lessons.courses).
LAB_COURSE_PACKAGES = env_list("LAB_COURSE_PACKAGES", [])
for _package in LAB_COURSE_PACKAGES:
    if not all(part.isidentifier() for part in _package.split(".")):
        refuse(f"LAB_COURSE_PACKAGES must list importable package names (comma-separated), not {_package!r}.")
# Demo runs: a cooperative time limit (seconds) and a per-learner rate limit.
LAB_RUN_TIME_LIMIT = env_float("LAB_RUN_TIME_LIMIT", 10.0)
LAB_RATE_LIMIT = env_int("LAB_RATE_LIMIT", 60, minimum=0)  # runs per learner per minute; 0: no limit
# New learner ids (runs without a session) per client address per minute: dropping cookies is no way around
# the rate limit. 0 switches it off (the tests do: their fresh clients all come from one address).
LAB_NEW_LEARNER_LIMIT = env_int("LAB_NEW_LEARNER_LIMIT", 120, minimum=0)
# Runs at once (lab.limits): in this process (keep it below the server's threads per worker, so lesson
# pages always find a free thread), in the whole classroom (shared through Redis), and per client address.
# 0 switches a limit off.
LAB_PROCESS_RUNS = env_int("LAB_PROCESS_RUNS", 2, minimum=0)
LAB_SITE_RUNS = env_int("LAB_SITE_RUNS", 8, minimum=0)
LAB_RUNS_PER_ADDRESS = env_int("LAB_RUNS_PER_ADDRESS", 2, minimum=0)
# Seconds of run time per client address per minute: a client looping the heaviest demo waits after
# a run or two. A classroom behind one NAT address raises this (and the two limits per address).
LAB_RUN_SECONDS_PER_ADDRESS = env_int("LAB_RUN_SECONDS_PER_ADDRESS", 30, minimum=0)
# How long a run may wait for this process's run slot (a short queue): 0 where the same threads serve
# pages; deploy/classroom.sh's run servers wait a few seconds.
LAB_RUN_QUEUE_SECONDS = env_int("LAB_RUN_QUEUE_SECONDS", 0, minimum=0)
# Proxies (a load balancer) whose X-Forwarded-For names the client; per-address limits use that address.
LAB_TRUSTED_PROXIES = env_list("LAB_TRUSTED_PROXIES", [])
# The sweeper (lab.sweeper): the run view sweeps crashed runs' leftovers at most once per interval (0: only
# `manage.py sweep_sandbox`), removing cover folders untouched for LAB_SWEEP_AGE seconds.
LAB_SWEEP_INTERVAL = env_int("LAB_SWEEP_INTERVAL", 300, minimum=0)
LAB_SWEEP_AGE = env_int("LAB_SWEEP_AGE", 120, minimum=0)
# Apps whose tables a committing demo gets private copies of (lab.private): its commits are its own.
LAB_PRIVATE_APPS = ["sandbox"]
# The admin: on for a laptop, off in a classroom unless switched on (then password guesses are limited:
# LAB_ADMIN_LOGIN_LIMIT failed logins per client address per 15 minutes).
LAB_ADMIN = env_bool("LAB_ADMIN", DEBUG)
LAB_ADMIN_LOGIN_LIMIT = env_int("LAB_ADMIN_LOGIN_LIMIT", 10, minimum=1)
LAB_MAINTENANCE_MODE = env_bool("LAB_MAINTENANCE_MODE", False)
# Bearer tokens the sandbox's API middleware accepts (the Middleware track's @public_api demo).
LAB_API_TOKENS = env_list("LAB_API_TOKENS", [])
# One log line per request at this level; healthy requests log at DEBUG (see sandbox.middleware).
LAB_REQUEST_LOG_LEVEL = env_choice("LAB_REQUEST_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
# Without JavaScript, a demo's report comes back inside this page (the lesson it was run from).
LAB_REPORT_PAGE = "lessons.views.lesson_with_report"

DEBUG_TOOLBAR_CONFIG = {
    "UPDATE_ON_FETCH": True,
    "TOOLBAR_STORE_CLASS": "debug_toolbar.store.CacheStore",
    "CACHE_BACKEND": "toolbar",
    "ROOT_TAG_EXTRA_ATTRS": "hx-preserve",
    "SHOW_TOOLBAR_CALLBACK": "lessons.toolbar.show_toolbar",
    "IS_RUNNING_TESTS": False,
    "SHOW_COLLAPSED": True,
    # The toolbar's Signals panel lists Django's own signals; add the bookshop's.
    "EXTRA_SIGNALS": ["sandbox.signals.order_placed"],
}
INTERNAL_IPS = ["127.0.0.1", "::1"]

# Read by sandbox.middleware.SecurityPolicyMiddleware, on every page in every mode. Strict: scripts,
# styles, images and requests come from this site only, and no inline script or style runs (the
# templates keep none; htmx's own indicator styles are off in base.html). Django 6's SECURE_CSP
# would do the same; a plain header keeps Django 5.2 working.
LAB_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Powerful browser features no lesson uses, switched off for this site and anything it frames.
LAB_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    if "*" in ALLOWED_HOSTS:
        refuse("DJANGO_ALLOWED_HOSTS must not contain '*' with DEBUG off.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "request": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "request_id": {"()": "sandbox.middleware.RequestIDLogFilter"},
        "require_debug_true": {"()": "django.utils.log.RequireDebugTrue"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # A demo's inner requests raise on purpose; their errors belong in its report, not the console.
        "outside_lab_runs": {"()": "lab.recorder.OutsideLabRuns"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "request", "filters": ["request_id"]},
        "plain_console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django's own defaults (django.utils.log.DEFAULT_LOGGING), plus the lab-run filter.
        "django_console": {
            "class": "logging.StreamHandler",
            "level": "INFO",
            "filters": ["require_debug_true", "outside_lab_runs"],
        },
        # With DEBUG off, a request that fails (a 500) is logged with its traceback and request id: on a
        # classroom server stderr is the log (gunicorn's error log), and there may be no ADMINS to mail.
        "errors": {
            "class": "logging.StreamHandler",
            "level": "ERROR",
            "formatter": "request",
            "filters": ["require_debug_false", "outside_lab_runs", "request_id"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "outside_lab_runs"],
        },
    },
    "loggers": {
        "django": {"handlers": ["django_console", "errors", "mail_admins"], "level": "INFO"},
        # A request with a Host header not in ALLOWED_HOSTS gets its 400 (cheap, no traceback): logging
        # each with a traceback would let a flood of made-up hosts fill the log.
        "django.security.DisallowedHost": {"handlers": [], "level": "CRITICAL", "propagate": False},
        # The lab's own warnings: a cache server down (lab.limits), a sweep, a demo that failed.
        "lab": {"handlers": ["console"], "level": "INFO"},
        "sandbox.requests": {"handlers": ["console"], "level": LAB_REQUEST_LOG_LEVEL},
        # The course: lessons left out of a DEBUG-off site and why, problems found in local mode (once per build).
        "lessons": {"handlers": ["plain_console"], "level": "INFO"},
    },
}
