"""Classroom mode (DEBUG off), checked in a fresh process with a classroom's environment.

The test process itself imports settings with DEBUG on (the toolbar installed),
so everything here runs in a subprocess that sees only the classroom variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "classroom-" + "k" * 50

# Left on purpose: they depend on how the classroom is served (see README), not on the code.
# HSTS and an HTTPS redirect would lock a plain-HTTP classroom LAN out of the site.
HTTPS_ONLY_WARNINGS = {"security.W004", "security.W008"}


def classroom(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "LAB_"))}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "LAB_VAR_DIR": str(tmp_path),
            # Plain static storage: the manifest needs `collectstatic`, which a deploy runs, not this test.
            "LAB_STATIC_MANIFEST": "0",
        }
    )
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def warning_ids(output: str) -> set[str]:
    import re

    return set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", output))


def test_check_deploy_leaves_only_the_https_warnings_with_secure_cookies_and_redis(tmp_path):
    result = classroom(
        ["manage.py", "check", "--deploy"],
        tmp_path,
        DJANGO_SECURE_COOKIES="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert warning_ids(result.stdout + result.stderr) <= HTTPS_ONLY_WARNINGS, result.stderr


def test_check_deploy_names_the_per_process_rate_limit_and_insecure_cookies(tmp_path):
    result = classroom(["manage.py", "check", "--deploy"], tmp_path)
    found = warning_ids(result.stdout + result.stderr)
    assert {"lab.W001", "security.W012", "security.W016"} <= found
    assert not any(w.endswith(("E001", "E002")) or ".E" in w for w in found), found


PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import resolve, Resolver404

c = Client(raise_request_exception=False)
out = {"debug": settings.DEBUG, "toolbar_app": "debug_toolbar" in settings.INSTALLED_APPS}
home = c.get("/")
out["home"] = [home.status_code, home.get("X-Frame-Options"), home.get("X-Content-Type-Options"),
               home.get("Referrer-Policy"), "djdt" in home.content.decode()]
out["toolbar_urls"] = [c.get(p).status_code for p in ("/__debug__/", "/__debug__/render_panel/", "/__debug__/sql_select/")]
admin = c.get("/admin/")
out["admin"] = [admin.status_code, admin.get("Location", "")]
out["admin_model"] = c.get("/admin/sandbox/book/").status_code
for name, path in (("404", "/no/such/page/here/"), ("500", "/sandbox/middleware/boom/")):
    r = c.get(path)
    out[name] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    result = classroom(["-c", PROBE], tmp_path_factory.mktemp("classroom"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_classroom_mode_has_debug_off_and_no_toolbar(probed):
    assert probed["debug"] is False
    assert probed["toolbar_app"] is False
    assert probed["home"][4] is False, "no toolbar markup in pages"
    assert probed["toolbar_urls"] == [404, 404, 404]


def test_classroom_pages_carry_the_security_headers(probed):
    status, frame, sniff, referrer, _ = probed["home"]
    assert status == 200
    assert frame == "DENY"
    assert sniff == "nosniff"
    assert referrer == "same-origin"


def test_the_admin_needs_a_login(probed):
    status, location = probed["admin"]
    assert status == 302 and location.startswith("/admin/login/")
    assert probed["admin_model"] == 302


@pytest.mark.parametrize("page", ["404", "500"])
def test_error_pages_show_no_traceback_or_settings(probed, page):
    status, body = probed[page]
    assert status == int(page)
    for leak in ("Traceback", "RuntimeError", "the view failed", SECRET, "SECRET_KEY", "INSTALLED_APPS", "sandbox/"):
        assert leak not in body, leak


ASYNC_DEMO = """
import json, django
django.setup()
from lab import registry
from lab.runner import run_demo
demo = registry.get("middleware.async")
lab = run_demo(demo, {"sync_below": True, "mixin_below": False, "debug": True}, learner="0123456789abcdef")
print(json.dumps({"error": lab.error, "loop": lab.get("server").facts["loop_thread"],
                  "mode": lab.get("sync_below").facts["hybrid_mode"],
                  "log": lab.get("sync_below").facts["django_request_log"]}))
"""


def test_the_async_demo_serves_its_own_uvicorn_in_a_classroom(tmp_path):
    """DEBUG off and a real host name for the site; the demo's server process still answers on loopback."""
    result = classroom(["-c", ASYNC_DEMO], tmp_path, DJANGO_ALLOWED_HOSTS="lab.example.org")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out == {
        "error": "",
        "loop": "MainThread",
        "mode": "sync",
        "log": "Asynchronous handler adapted for middleware sandbox.example_middleware.sync_only.",
    }
