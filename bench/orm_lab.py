"""How fast is the query lab? Median server time per ORM demo, and N+1 vs prefetch on a large seed.

In-process: a throwaway SQLite database is migrated and seeded (canonical),
then every ORM demo is run N times through the real view with Django's test
Client (POST /demos/<slug>/run/, as htmx sends it, every middleware included).
The server time is the `app` duration of the Server-Timing header that the
site's own ServerTimingMiddleware adds (the layers below it and the view).

Then the large seed (`load_large(100000)` by default) is loaded into the same
database and the loading demo runs over its books: the naive N+1 loops against
select_related / prefetch_related, timed by the demo itself (repeated trials,
recorder paused), and their ratio printed.

    .venv/bin/python bench/orm_lab.py [--runs 15] [--large 100000] [--books 1000] [--trials 5]

Exits 1 if any demo's median server time is over the target (50 ms).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


def configure(tmp: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",  # no debug toolbar: measure what a classroom serves
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-anything-else",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "LAB_VAR_DIR": str(tmp),
            "LAB_RATE_LIMIT": "0",
            "LAB_REQUEST_LOG_LEVEL": "WARNING",
        }
    )
    (tmp / "staticfiles").mkdir()  # WhiteNoise warns about a missing STATIC_ROOT otherwise
    for name in ("REDIS_URL", "MEMCACHED_LOCATION"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def default_inputs(demo) -> dict:
    return demo.post_data()


def server_ms(response) -> float:
    match = re.search(r"app;dur=([\d.]+)", response["Server-Timing"])
    return float(match.group(1)) if match else float("nan")


def bench_demos(runs: int) -> list[tuple[str, float, float, int]]:
    from django.test import Client

    from lab import registry

    client = Client()
    results = []
    for demo in [d for d in registry.all_demos() if d.track == "orm"]:
        data = default_inputs(demo)
        url = f"/demos/{demo.slug}/run/"
        client.post(url, data, HTTP_HX_REQUEST="true")  # warm-up: imports, template compilation
        samples, walls = [], []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post(url, data, HTTP_HX_REQUEST="true")
            walls.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{demo.slug} answered {response.status_code}")
            samples.append(server_ms(response))
        results.append(
            (demo.slug, statistics.median(samples), statistics.median(walls), int(response["X-Lab-Queries"]))
        )
    return results


def bench_large(size: int, books: int, trials: int) -> list[tuple[str, str, int, int, int, float, float]]:
    from lab import registry
    from lab.runner import run_demo
    from sandbox.seed import load_large

    started = time.perf_counter()
    load_large(size)
    print(f"Large seed: load_large({size}) took {time.perf_counter() - started:.1f} s")
    demo = registry.get("orm.related-loading")
    rows = []
    for slow, fast in (
        ("naive", "select_related"),
        ("naive", "prefetch_publisher"),
        ("authors_naive", "authors_prefetch"),
    ):
        form = demo.form({"strategy": slow, "compare_with": fast, "books": "large", "limit": books, "trials": trials})
        assert form.is_valid(), form.errors
        lab = run_demo(demo, form.cleaned_data)
        if lab.error:
            raise SystemExit(f"{slow} vs {fast}: {lab.error}")
        medians = {s.label: s.median for s in lab.get("timings").series}
        rows.append(
            (
                slow,
                fast,
                lab.get(slow).facts["books"],  # each strategy's step has its choice's key
                lab.get(slow).facts["queries"],
                lab.get(fast).facts["queries"],
                medians[slow],
                medians[fast],
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="requests per demo (after one warm-up)")
    parser.add_argument("--large", type=int, default=100000, help="order items in the large seed (0: skip)")
    parser.add_argument("--books", type=int, default=1000, help="large-seed books the loading demo runs over")
    parser.add_argument("--trials", type=int, default=5, help="timed trials per loading strategy")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="orm-bench-") as tmp:
        configure(Path(tmp))
        from django.core.management import call_command

        from sandbox.seed import load_canonical

        call_command("migrate", verbosity=0)
        load_canonical()
        from django.db import connection

        print(
            f"Django Lab query lab, {connection.vendor} {connection.Database.sqlite_version}, {args.runs} runs per demo"
        )
        print(f"{'demo':<28} {'median server ms':>17} {'median wall ms':>15} {'X-Lab-Queries':>14}")
        results = bench_demos(args.runs)
        slow = []
        for slug, server, wall, queries in results:
            flag = "" if server < TARGET_MS else "  OVER TARGET"
            print(f"{slug:<28} {server:>17.1f} {wall:>15.1f} {queries:>14}{flag}")
            if server >= TARGET_MS:
                slow.append(slug)
        print(f"Median of the medians: {statistics.median(r[1] for r in results):.1f} ms (target < {TARGET_MS:.0f} ms)")

        if args.large:
            print()
            rows = bench_large(args.large, args.books, args.trials)
            print(f"{'N+1 loop':<16} {'fix':<20} {'books':>6} {'queries':>13} {'median ms':>19} {'ratio':>7}")
            for slow_key, fast_key, books, q_slow, q_fast, m_slow, m_fast in rows:
                print(
                    f"{slow_key:<16} {fast_key:<20} {books:>6} {f'{q_slow} vs {q_fast}':>13} "
                    f"{f'{m_slow:.1f} vs {m_fast:.1f}':>19} {m_slow / m_fast:>6.1f}x"
                )
    if slow:
        print(f"Over the {TARGET_MS:.0f} ms target: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
