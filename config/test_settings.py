"""Settings for the test suite: the site's own settings plus what only tests need.

pytest uses this module (pyproject.toml); nothing in config/settings.py looks
at whether tests are running.
"""

from .settings import *  # noqa: F403

# A cheap hasher: tests create users, and the real one is slow on purpose.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every test client comes from 127.0.0.1 without a session: don't cap new learners per address.
LAB_NEW_LEARNER_LIMIT = 0
# The same address runs every test's demos: no run-time budget per address (tests/test_limits.py sets one).
LAB_RUN_SECONDS_PER_ADDRESS = 0
