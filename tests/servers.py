"""Real classroom processes for tests: a prepared database, gunicorn app servers, and a cookie-keeping client.

Everything runs with DEBUG off and the settings in tests/classroom_settings.py (the site's own
plus demos that hold a run at a known point); each test gets its own var/ folder.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lab.services import free_port as _free_port
from lab.services import wait_for_port as _wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "classroom-servers-" + "s" * 40


def classroom_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "LAB_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.classroom_settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LAB_VAR_DIR": str(var_dir),
            "LAB_TEST_SIGNALS": str(var_dir / "signals"),
            "LAB_STATIC_MANIFEST": "0",
            "LAB_NEW_LEARNER_LIMIT": "0",  # every test client comes from 127.0.0.1
            "LAB_RUNS_PER_ADDRESS": "0",
            "LAB_RUN_SECONDS_PER_ADDRESS": "0",
            "LAB_SWEEP_INTERVAL": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    (var_dir / "signals").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result


def prepared_sqlite(template: Path, var_dir: Path) -> None:
    """A copy of a migrated, seeded SQLite database (made once per session) in `var_dir`."""
    var_dir.mkdir(parents=True, exist_ok=True)
    if not (template / "db.sqlite3").exists():
        env = classroom_env(template)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "seed")
    shutil.copy(template / "db.sqlite3", var_dir / "db.sqlite3")


@dataclass
class Gunicorn:
    """One app server: `gunicorn -c deploy/gunicorn.conf.py config.wsgi` on a free port."""

    env: dict[str, str]
    workers: int = 1
    threads: int = 8

    def __post_init__(self) -> None:
        self.port = _free_port()
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
        }
        self.log = open(Path(self.env["LAB_VAR_DIR"]) / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, self.proc, timeout=30)
        self.url = f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return (Path(self.env["LAB_VAR_DIR"]) / f"gunicorn-{self.port}.log").read_text()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


class Browser:
    """A learner: one cookie jar, any number of servers (the cookies are per host, so shared across ports)."""

    def __init__(self, address: str = "") -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.address = address  # sent as X-Forwarded-For: only a trusted proxy's header is believed

    def request(self, url: str, data: dict | None = None, headers: dict | None = None, timeout: float = 60) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        return Response(status, dict(got.items()), raw.decode("utf-8", "replace"), time.perf_counter() - started)

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def run(self, base: str, slug: str, timeout: float = 60, **inputs) -> Response:
        if not self.csrf():
            self.request(base + "/demos/")
        data = {"csrfmiddlewaretoken": self.csrf(), **inputs}
        return self.request(f"{base}/demos/{slug}/run/", data, {"HX-Request": "true"}, timeout=timeout)

    def session(self) -> str:
        return next((c.value for c in self.jar if c.name == "sessionid"), "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def learner_of(browser: Browser) -> str:
    """The learner id in a browser's signed session cookie (the site signs it; the test only reads it)."""
    import base64
    import zlib

    payload = browser.session().split(":")[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)["lab_learner"]


def signal_file(env: dict[str, str], name: str) -> Path:
    return Path(env["LAB_TEST_SIGNALS"]) / name


def wait_for_file(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not appear in {timeout} s"
        time.sleep(0.02)
