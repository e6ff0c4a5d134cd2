"""Classroom mode (DEBUG off), checked in a fresh process with a classroom's environment.

The test process itself imports settings with DEBUG on (the toolbar installed),
so everything here runs in a subprocess that sees only the classroom variables.
"""

from __future__ import annotations

import json
import os
import re
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
# A second 404 renders nothing: the page comes from the cache, as a lesson page does.
import lessons.views
def no_rendering(*args, **kwargs):
    raise AssertionError("a 404 rendered a template again")
lessons.views.render_to_string = no_rendering
again = c.get("/another/unknown/page/")
out["404_again"] = [again.status_code, "There is no page here" in again.content.decode()]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe_run(tmp_path_factory) -> subprocess.CompletedProcess:
    result = classroom(["-c", PROBE], tmp_path_factory.mktemp("classroom"))
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def probed(probe_run) -> dict:
    return json.loads(probe_run.stdout.strip().splitlines()[-1])


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


def test_the_admin_is_off_in_a_classroom_unless_switched_on(probed):
    assert probed["admin"][0] == 404
    assert probed["admin_model"] == 404


ADMIN_PROBE = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
User.objects.create_superuser("teacher", "t@example.org", "right-password-123")
from django.test import Client

out = {}
admin = Client().get("/admin/sandbox/book/")
out["admin"] = [admin.status_code, admin.get("Location", "")]
c = Client(REMOTE_ADDR="203.0.113.5")
out["guesses"] = [c.post("/admin/login/", {"username": "teacher", "password": f"guess-{i}"}).status_code for i in range(4)]
late = c.post("/admin/login/", {"username": "teacher", "password": "right-password-123"})
out["right_after_limit"] = [late.status_code, late.get("Retry-After")]
other = Client(REMOTE_ADDR="203.0.113.6").post("/admin/login/", {"username": "teacher", "password": "right-password-123"})
out["other_address"] = other.status_code
print(json.dumps(out))
"""


def test_with_the_admin_switched_on_it_needs_a_login_and_password_guesses_are_limited(tmp_path):
    result = classroom(["-c", ADMIN_PROBE], tmp_path, LAB_ADMIN="1", LAB_ADMIN_LOGIN_LIMIT="3")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    status, location = out["admin"]
    assert status == 302 and location.startswith("/admin/login/")
    assert out["guesses"] == [200, 200, 200, 429]  # three wrong passwords, then no more checking
    status, retry_after = out["right_after_limit"]
    assert status == 429 and 0 < int(retry_after) <= 900  # even the right password waits out the window
    assert out["other_address"] == 302  # another address logs in


def test_a_request_that_fails_is_logged_with_its_traceback_and_request_id(probe_run):
    log = probe_run.stderr
    assert "ERROR django.request" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the view failed" in log
    line = next(line for line in log.splitlines() if "ERROR django.request" in line)
    assert re.search(r"\[[0-9a-f]{32}\] Internal Server Error: /sandbox/middleware/boom/", line), line


def test_a_404_is_served_from_the_page_cache_like_a_lesson(probed):
    assert probed["404_again"] == [404, True]


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
