"""Settings for the classroom server tests: the site's own, plus demos that only tests run.

tests/test_classroom_server.py starts real gunicorn and nginx processes with these settings
(DJANGO_SETTINGS_MODULE=tests.classroom_settings); the demos hold a run at a known point.
"""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.classroom_demos"]  # noqa: F405
