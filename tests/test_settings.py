"""Settings: safe defaults for a laptop, loud failures for a production mistake."""

import os
import subprocess
import sys
from pathlib import Path

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
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "LAB_TESTING": "0"},
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
