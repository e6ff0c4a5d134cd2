"""How fast does an exercise start and check in the learner's browser? Headless Chromium, real Pyodide.

A throwaway site (runserver on 127.0.0.1:8302, DEBUG off so no debug toolbar, a migrated temporary database)
serves the built runtime (`make runtime`). Chromium with a fresh profile opens a page and starts
`LabRuntime.get("5.2")`:

- cold ready: first visit, nothing cached (the time from get() to ready, in the page);
- first-visit bytes: the encoded bytes of every response the runtime needed (/runtime/ and the two scripts);
- warm ready: the same profile, a new page (HTTP cache, V8's WebAssembly code cache, bytecode in IndexedDB);
- repeat-visit bytes: the runtime's response bytes on that second visit (the manifest is revalidated: 304);
- Check: the median of N Checks of an ORM exercise (the sample's starter: a failing check, its message built).

    .venv/bin/python bench/exercises.py [--checks 15] [--port 8302]

Exits 1 if a figure misses its target (6 s cold, 2.5 s warm, 500 ms Check, 16 MB first visit, 0 bytes repeat).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TARGETS = {"cold_s": 6.0, "warm_s": 2.5, "check_ms": 500.0, "first_mb": 16.0, "repeat_bytes": 0}
READY = "async () => { const t = performance.now(); const rt = LabRuntime.get('5.2'); await rt.ready; return performance.now() - t; }"
CHECK = """async ([slug, code]) => { const t = performance.now();
  const r = await LabRuntime.get('5.2').attempt(slug, code, 'check'); return [performance.now() - t, r.checks.length]; }"""


def serve(port: int, tmp: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-anything-else",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LAB_VAR_DIR": str(tmp),
        "LAB_RUNTIME_DIR": str(ROOT / "var" / "runtime"),
        "LAB_STATIC_MANIFEST": "0",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(  # noqa: S603
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/runtime/manifest.json", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("The bench server did not start (is the runtime built? make runtime)")


def visit(context, base: str) -> tuple[float, int, list]:
    """Open a page, start the runtime; (ms to ready, runtime bytes received, the page)."""
    received: list[int] = []

    def finished(request) -> None:
        if "/runtime/" in request.url or "lab-runtime" in request.url:
            sizes = request.sizes()
            received.append(max(sizes["responseBodySize"], 0))
            if os.environ.get("BENCH_VERBOSE"):
                print(request.url[-60:], sizes, request.response().status if request.response() else None)

    context.on("requestfinished", finished)
    page = context.new_page()
    page.goto(base + "/")
    page.add_script_tag(url=base + "/static/js/lab-runtime.js")
    ready_ms = page.evaluate(READY)
    if os.environ.get("BENCH_VERBOSE"):
        print(page.evaluate("LabRuntime.get('5.2').timings"))
    page.wait_for_timeout(3000)  # the warm-up Run and the bytecode saved to IndexedDB, as a learner reading would
    context.remove_listener("requestfinished", finished)
    return ready_ms, sum(received), page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=15)
    parser.add_argument("--port", type=int, default=8302)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    source = (ROOT / "exercises" / "orm_sample.py").read_text()
    slug = "orm.titles-and-publishers"
    starter = source.split('starter="""', 1)[1].split('"""', 1)[0]
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(args.port, Path(tmp))
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(Path(tmp) / "profile"), executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                context.set_default_timeout(300_000)
                cold_ms, first_bytes, page = visit(context, base)
                page.close()
                warm_ms, repeat_bytes, page = visit(context, base)
                times = [page.evaluate(CHECK, [slug, starter])[0] for _ in range(args.checks)]
                context.close()
        finally:
            server.terminate()
            server.wait()
    figures = {
        "cold_s": cold_ms / 1000,
        "warm_s": warm_ms / 1000,
        "check_ms": statistics.median(times),
        "first_mb": first_bytes / 1e6,
        "repeat_bytes": repeat_bytes,
    }
    load = os.getloadavg()[0]
    print(f"Exercise runtime in headless Chromium (load average {load:.1f} on {os.cpu_count()} cores):")
    labels = {
        "cold_s": "cold ready (s)",
        "warm_s": "warm ready (s)",
        "check_ms": f"Check, median of {len(times)} (ms)",
        "first_mb": "first visit (MB)",
        "repeat_bytes": "repeat visit (bytes)",
    }
    missed = []
    for key, label in labels.items():
        ok = figures[key] <= TARGETS[key]
        missed += [] if ok else [key]
        print(f"  {label:32} {figures[key]:10.2f}   target <= {TARGETS[key]}  {'ok' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
