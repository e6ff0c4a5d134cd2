"""What does the cache buy? The timing lab's sales report, uncached and cached, on a large seed.

In-process: a throwaway SQLite database is migrated, seeded (canonical plus
`load_large(100000)` by default), and the timing lab demo (`caching.timing-lab`)
runs on each backend: it sends the report request /sandbox/caching/report/ N times
uncached and N times through `cache_page` on that backend, and reports each
variant's median. The figures printed here are the demo's own facts, so they
are exactly what a learner's card shows.

Backends: local memory, and Redis. Without REDIS_URL a private redis-server is
started on a free loopback port (and stopped at the end).

    .venv/bin/python bench/caching.py [--large 100000] [--trials 20] [--backends locmem redis]

Exits 1 if the cached median is not at least 20x faster than the uncached one
on every backend.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_SPEEDUP = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple[str, subprocess.Popen | None]:
    """REDIS_URL if set, else a private redis-server on a free port."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed and REDIS_URL is not set.")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"redis://127.0.0.1:{port}/0", proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit("redis-server did not start")


def configure(tmp: Path, redis_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",  # no debug toolbar: measure what a classroom serves
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-anything-else",
            "DJANGO_ALLOWED_HOSTS": "testserver",  # the lab's requests use RequestFactory's host
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "LAB_VAR_DIR": str(tmp),
            "REDIS_URL": redis_url,
            "LAB_REQUEST_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("MEMCACHED_LOCATION", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(size: int) -> None:
    from django.core.management import call_command

    from sandbox.seed import load_canonical, load_large

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_canonical()
    if size:
        started = time.perf_counter()
        load_large(size)
        print(f"Large seed: load_large({size}) took {time.perf_counter() - started:.1f} s")


def run_timing_lab(backend: str, trials: int) -> dict:
    from lab import registry
    from lab.runner import run_demo

    demo = registry.get("caching.timing-lab")
    form = demo.form({"backend": backend, "trials": trials})
    if not form.is_valid():
        raise SystemExit(f"{backend}: {form.errors.as_text()}")
    lab = run_demo(demo, form.cleaned_data, learner="bench")
    if lab.error:
        raise SystemExit(f"{backend}: {lab.error}")
    status = lab.get("backend").facts
    if not status["available"]:
        raise SystemExit(f"{backend} is not available: {status['why_not']}")
    facts = lab.get("trials").facts
    return {
        "rows": lab.get("uncached").facts["order_items"],
        "uncached": facts["uncached_ms"],
        "cached": facts["cached_ms"],
        "speedup": facts["speedup"],
        "hits": facts["served_from_cache"],
        "bytes": lab.get("first_cached").facts["page_bytes"],
        "headline": lab.headline_text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100000, help="order items in the large seed (0: canonical only)")
    parser.add_argument("--trials", type=int, default=20, help="trials per variant (3-20, as in the demo's form)")
    parser.add_argument("--backends", nargs="+", default=["locmem", "redis"])
    args = parser.parse_args()

    redis_url, redis_proc = start_redis()
    try:
        with tempfile.TemporaryDirectory(prefix="lab-bench-caching-") as tmp:
            configure(Path(tmp), redis_url)
            prepare(args.large)
            print(f"Timing lab, {args.trials} trials per variant (Django's test server host, no middleware):")
            header = f"{'backend':<12} {'rows':>8} {'uncached ms':>12} {'cached ms':>10} {'speedup':>8}"
            print(header + f" {'hits':>5} {'page bytes':>10}  headline")
            failed = []
            for backend in args.backends:
                r = run_timing_lab(backend, args.trials)
                print(
                    f"{backend:<12} {r['rows']:>8} {r['uncached']:>12.3f} {r['cached']:>10.3f} {r['speedup']:>7.1f}x"
                    f" {r['hits']:>5} {r['bytes']:>10}  {r['headline']}"
                )
                if r["speedup"] < MIN_SPEEDUP:
                    failed.append(backend)
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    if failed:
        print(f"FAIL: cached median is less than {MIN_SPEEDUP:.0f}x faster on {', '.join(failed)}")
        return 1
    print(f"OK: cached median at least {MIN_SPEEDUP:.0f}x faster on every backend")
    return 0


if __name__ == "__main__":
    sys.exit(main())
