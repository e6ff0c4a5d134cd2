"""What do the site's own middleware cost? Requests per second with and without them.

Serves the trivial view /sandbox/ping/ with gunicorn (DEBUG off, a throwaway SQLite
database, loopback only) and loads it with wrk, twice:

  WITH      the site's MIDDLEWARE as configured: request id, request log, Server-Timing
  WITHOUT   the same list minus those three (LAB_SITE_MIDDLEWARE=0)
  WITH+LOG  as WITH, but every request logged (LAB_REQUEST_LOG_LEVEL=DEBUG); for
            information: what a log record per request would cost

Everything else is the classroom default. There the request log is at INFO, so
errors and slow requests are logged and a healthy /sandbox/ping/ is not. stderr goes
to a file; the script counts the sandbox.requests lines each configuration wrote.
Runs alternate (WITH, WITHOUT, WITH, WITHOUT …) and the best of each is kept,
so a noisy moment on the machine hurts both sides alike.

Two measures are printed for each: wrk's requests/second (wall clock), and
requests per CPU-second of the gunicorn worker (read from /proc). On a quiet
machine they agree; on a shared one wall-clock throughput swings with whatever
else runs, while CPU per request stays put. The pass/fail check uses the
CPU measure, the capacity a classroom server actually has; both ratios are shown. One gunicorn worker and
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes, from /proc/<pid>/stat."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


CONFIGS = {
    "WITH": {"LAB_SITE_MIDDLEWARE": "1"},
    "WITHOUT": {"LAB_SITE_MIDDLEWARE": "0"},
    "WITH+LOG": {"LAB_SITE_MIDDLEWARE": "1", "LAB_REQUEST_LOG_LEVEL": "DEBUG"},
}


def serve_and_load(config: str, tmp: Path, args: argparse.Namespace, run: int) -> tuple[float, float, int]:
    """Start gunicorn, warm it up, measure with wrk; return (requests/s, requests/CPU-s, log lines)."""
    port = free_port()
    log_path = tmp / f"stderr-{config}-{run}.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-anything-else",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "LAB_VAR_DIR": str(tmp),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("REDIS_URL", "MEMCACHED_LOCATION", "LAB_REQUEST_LOG_LEVEL", "LAB_STATIC_MANIFEST"):
        env.pop(name, None)
    env.update(CONFIGS[config])
    cmd = [
        str(PYTHON), "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "sync",
    ]  # fmt: skip
    with open(log_path, "wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            wait_for(port, proc)
            url = f"http://127.0.0.1:{port}/sandbox/ping/"
            subprocess.run([WRK, *WRK_LOAD, "-d2s", url], check=True, capture_output=True, timeout=30)  # warm-up
            workers = workers_of(proc.pid)
            cpu_before = cpu_seconds(workers)
            out = subprocess.run(
                [WRK, *WRK_LOAD, f"-d{args.seconds}s", url],
                check=True,
                capture_output=True,
                text=True,
                timeout=args.seconds + 30,
            ).stdout
            cpu = cpu_seconds(workers) - cpu_before
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} requests failed; see {log_path}")
    lines = sum(1 for line in log_path.read_text(errors="replace").splitlines() if "sandbox.requests" in line)
    return rps, requests / cpu, lines


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
        wall: dict[str, list[float]] = {c: [] for c in CONFIGS}
        per_cpu: dict[str, list[float]] = {c: [] for c in CONFIGS}
        logged: dict[str, int] = dict.fromkeys(CONFIGS, 0)
        for run in range(args.rounds):
            for config in CONFIGS:
                rps, cpu_rps, lines = serve_and_load(config, tmp, args, run)
                wall[config].append(rps)
                per_cpu[config].append(cpu_rps)
                logged[config] += lines
                print(
                    f"  run {run + 1} {config:8} {rps:8.1f} req/s {cpu_rps:8.1f} req/CPU-s  ({lines} request log lines)",
                    flush=True,
                )

    best = {c: (max(wall[c]), max(per_cpu[c])) for c in CONFIGS}
    wall_ratio = best["WITH"][0] / best["WITHOUT"][0]
    ratio = best["WITH"][1] / best["WITHOUT"][1]
    load = " ".join(WRK_LOAD)
    print()
    print(f"GET /sandbox/ping/ under gunicorn ({args.workers} sync worker(s), DEBUG off), wrk {load} -d{args.seconds}s")
    print(f"  best of {args.rounds}                            req/s   req/CPU-s   log lines")
    labels = {
        "WITH": "WITH the site's middleware",
        "WITHOUT": "WITHOUT (LAB_SITE_MIDDLEWARE=0)",
        "WITH+LOG": "WITH, every request logged",
    }
    for config, label in labels.items():
        print(f"  {label:33} {best[config][0]:8.1f} {best[config][1]:10.1f} {logged[config]:11d}")
    print(f"  ratio WITH / WITHOUT              {wall_ratio:8.3f} {ratio:10.3f}  (threshold {THRESHOLD}, on req/CPU-s)")
    print(
        f"  ratio WITH+LOG / WITHOUT          {best['WITH+LOG'][0] / best['WITHOUT'][0]:8.3f} "
        f"{best['WITH+LOG'][1] / best['WITHOUT'][1]:10.3f}  (for information)"
    )
    print(
        "  logged: sandbox.requests lines written to stderr (a temporary file). WITH is the classroom default, level INFO:"
        " only errors and slow requests are logged, so a healthy /sandbox/ping/ writes none. WITH+LOG writes one DEBUG"
        " line per request."
    )
    if ratio < THRESHOLD:
        print("FAIL: the site's middleware costs more than 10% on a trivial view.")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
