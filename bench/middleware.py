"""What do the site's own middleware cost? Requests per second with and without them.

Serves the trivial view /lab/ping/ with gunicorn (DEBUG off, a throwaway SQLite
database, loopback only) and loads it with wrk, twice:

  WITH     the site's MIDDLEWARE as configured: request id, request log, Server-Timing
  WITHOUT  the same list minus those three (LAB_SITE_MIDDLEWARE=0)

Everything else is the classroom default, including the request log: one INFO
line per request to stderr, which this script sends to a file and counts.
Runs alternate (WITH, WITHOUT, WITH, WITHOUT …) and the best of each is kept,
so a noisy moment on the machine hurts both sides alike. One gunicorn worker and
one wrk thread by default: on a small machine they then each get a core, and the
ratio measures the middleware rather than the two fighting for CPU.

    .venv/bin/python bench/middleware.py [--seconds 8] [--rounds 3] [--workers 1]

Exits 1 if WITH / WITHOUT falls below 0.90.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
THRESHOLD = 0.90
WRK_LOAD = ["-t1", "-c4"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not listen on port {port}")


def serve_and_load(site_middleware: bool, tmp: Path, args: argparse.Namespace, run: int) -> tuple[float, int]:
    """Start gunicorn, warm it up, measure with wrk; return (requests/second, log lines written)."""
    port = free_port()
    log_path = tmp / f"stderr-{'with' if site_middleware else 'without'}-{run}.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-anything-else",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "LAB_VAR_DIR": str(tmp),
        "LAB_SITE_MIDDLEWARE": "1" if site_middleware else "0",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("REDIS_URL", "MEMCACHED_LOCATION", "LAB_REQUEST_LOG_LEVEL", "LAB_TESTING"):
        env.pop(name, None)
    cmd = [
        str(PYTHON), "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "sync",
    ]  # fmt: skip
    with open(log_path, "wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            wait_for(port, proc)
            url = f"http://127.0.0.1:{port}/lab/ping/"
            subprocess.run([WRK, *WRK_LOAD, "-d2s", url], check=True, capture_output=True, timeout=30)  # warm-up
            out = subprocess.run(
                [WRK, *WRK_LOAD, f"-d{args.seconds}s", url],
                check=True,
                capture_output=True,
                text=True,
                timeout=args.seconds + 30,
            ).stdout
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} requests failed; see {log_path}")
    lines = sum(1 for line in log_path.read_text(errors="replace").splitlines() if "lab.requests" in line)
    return rps, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run (max 60)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each configuration (max 5)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn sync workers")
    args = parser.parse_args()
    args.seconds = max(1, min(args.seconds, 60))
    args.rounds = max(1, min(args.rounds, 5))
    if not Path(WRK).exists():
        print("wrk is not installed; nothing measured.", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="lab-bench-") as tmp_name:
        tmp = Path(tmp_name)
        results: dict[bool, list[float]] = {True: [], False: []}
        logged: dict[bool, int] = {True: 0, False: 0}
        for run in range(args.rounds):
            for site_middleware in (True, False):
                rps, lines = serve_and_load(site_middleware, tmp, args, run)
                results[site_middleware].append(rps)
                logged[site_middleware] += lines
                label = "WITH   " if site_middleware else "WITHOUT"
                print(f"  run {run + 1} {label} {rps:9.1f} req/s  ({lines} request log lines)", flush=True)

    with_rps, without_rps = max(results[True]), max(results[False])
    ratio = with_rps / without_rps
    print()
    load = " ".join(WRK_LOAD)
    print(f"GET /lab/ping/ under gunicorn ({args.workers} sync worker(s), DEBUG off), wrk {load} -d{args.seconds}s")
    print(f"  WITH the site's middleware    {with_rps:9.1f} req/s (best of {args.rounds})")
    print(f"  WITHOUT (LAB_SITE_MIDDLEWARE=0) {without_rps:7.1f} req/s (best of {args.rounds})")
    print(f"  ratio WITH / WITHOUT          {ratio:9.3f}  (threshold {THRESHOLD})")
    print(
        f"  logged: {logged[True]} lab.requests INFO lines to stderr WITH (one per request, the classroom default), "
        f"{logged[False]} WITHOUT; stderr went to a temporary file."
    )
    if ratio < THRESHOLD:
        print("FAIL: the site's middleware costs more than 10% on a trivial view.")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
