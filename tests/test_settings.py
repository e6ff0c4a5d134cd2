"""Settings: safe defaults for a laptop, loud failures for a production mistake."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_a_secret_key_refuses_to_start_with_one_line():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set: refusing to start with DEBUG off and no secret key." in result.stderr


def test_debug_off_with_a_wildcard_host_refuses_to_start():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "must not contain '*'" in result.stderr


def test_a_malformed_boolean_is_named_in_the_error():
    result = load_settings(DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_local_defaults_start_with_debug_on():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_classroom_settings_start_with_debug_off():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="lab.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_refusal_is_one_line_without_a_traceback():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LAB_RUN_TIME_LIMIT", "ten", "LAB_RUN_TIME_LIMIT must be a number, not 'ten'."),
        ("LAB_RUN_TIME_LIMIT", "0", "LAB_RUN_TIME_LIMIT must be more than 0, not 0."),
        ("LAB_RATE_LIMIT", "-1", "LAB_RATE_LIMIT must be at least 0, not -1."),
        ("LAB_NEW_LEARNER_LIMIT", "many", "LAB_NEW_LEARNER_LIMIT must be an integer, not 'many'."),
        (
            "LAB_REQUEST_LOG_LEVEL",
            "LOUD",
            "LAB_REQUEST_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'LOUD'.",
        ),
        ("LAB_STATIC_MANIFEST", "perhaps", "LAB_STATIC_MANIFEST must be a boolean"),
    ],
)
def test_a_bad_lab_setting_is_refused_in_one_line(name, value, message):
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_nothing_in_the_settings_depends_on_whether_tests_run():
    source = (ROOT / "config" / "settings.py").read_text()
    assert "pytest" not in source and "TESTING" not in source
