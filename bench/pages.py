"""How much does a lesson page cost next to a trivial view? (a script, not a test)

Starts the site with gunicorn (DEBUG off, a temporary SQLite database, migrated
and seeded), then measures requests per second with wrk for /sandbox/ping/ and
for one lesson page, in the same run, on loopback only. The target: a lesson
page serves at least 70% of the trivial view's rate, because its HTML is
rendered once and cached; a request only reads the cache and swaps in the
learner's CSRF token.

    .venv/bin/python bench/pages.py [--seconds 5] [--workers 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback URL we built)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout} s")


def requests_per_second(url: str, seconds: int, connections: int, cookie: str) -> float:
    out = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors[1]} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per URL")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=8, help="wrk open connections")
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed")

    with tempfile.TemporaryDirectory(prefix="lab-bench-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "LAB_VAR_DIR": tmp,
            "LAB_REQUEST_LOG_LEVEL": "WARNING",  # measure the site, not the log
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DATABASE_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["createcachetable"],
            ["seed"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(manage + command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        lesson = (
            subprocess.run(
                manage
                + ["shell", "-c", "from lessons.catalogue import get_catalogue; print(get_catalogue().lessons[0].url)"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        cmd = [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        proc = subprocess.Popen(cmd + ["--log-level", "warning"], env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/sandbox/ping/", proc)
            for _ in range(args.workers * 4):  # every worker renders the lesson once, then reads its cache
                with urllib.request.urlopen(base + lesson, timeout=30) as response:  # noqa: S310
                    response.read()
                    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
            # A returning learner: the browser sends the CSRF cookie its first page set. Two
            # alternating rounds, best of each, so a burst of other load hits both URLs alike.
            ping = page = 0.0
            for _ in range(2):
                ping = max(ping, requests_per_second(base + "/sandbox/ping/", args.seconds, args.connections, cookie))
                page = max(page, requests_per_second(base + lesson, args.seconds, args.connections, cookie))
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    ratio = page / ping
    print(
        f"gunicorn, {args.workers} sync workers, DEBUG off, wrk {args.connections} connections, {args.seconds} s per URL,"
        " best of 2 alternating rounds, requests carry the CSRF cookie (a returning learner)"
    )
    print(f"  /sandbox/ping/ (trivial view)  {ping:10.0f} requests/s")
    print(f"  {lesson:<26} {page:10.0f} requests/s")
    print(f"  ratio lesson/ping          {ratio:10.2f}   (target >= 0.70: {'met' if ratio >= 0.70 else 'NOT met'})")


if __name__ == "__main__":
    main()
