"""Settings for Django in the learner's browser (Pyodide, in lab-runtime-worker.js), where exercises run.

Shipped in the runtime zip and selected there with DJANGO_SETTINGS_MODULE. The same module builds the
canonical bookshop database on the server (`manage.py build_runtime` migrates and seeds a temporary file
with it), so the browser opens a database made by exactly these apps. No threads, no async_to_sync, no
network there: SQLite, local-memory cache, locmem mail.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent  # in the browser: where the zips were unpacked
SECRET_KEY = "browser-runtime-only: nothing secret runs in a learner's browser"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "sandbox",
    "lab",
    "exercises",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "config.browser_urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("LAB_BROWSER_DATABASE", "/home/pyodide/bookshop.sqlite3"),
    }
}
CACHES = {  # the caching track's local-memory alias too; Redis, Memcached, files and the database cache are not here
    "default": {"BACKEND": "lab.caches.DefaultLocMemCache", "LOCATION": "exercises"},  # recorded: Run counts its calls
    "locmem": {"BACKEND": "lab.caches.LocMemCache", "LOCATION": "exercises-locmem"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "shop@bookshop.example"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}]
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast: nothing real is protected here
LOGGING_CONFIG = None
