"""Load-test a running classroom and say whether it held: `make load HOST=http://127.0.0.1:8000`.

    .venv/bin/python bench/load/run.py --host URL [--users 100] [--abusers 4] [--seconds 120]
                                       [--restart-redis-after 60 --redis-port 6379]

Run it with the classroom's environment (DATABASE_URL...): it reads the site's lessons and demos
(the plan), snapshots every bookshop table, runs locust headless (var/loadenv, from
bench/load/requirements.txt) with learners who keep their cookies and abusers who flood heavy
runs and unknown URLs, optionally restarts Redis once mid-run, snapshots again, and prints:
p50/p95 page and run times, status counts (429/503 apart), 5xx other than 503, cross-learner
leaks seen in reports, and whether canonical data and the real tables are as they were.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def django_json(kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "plan.py"), kind], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def machine() -> dict:
    """What else the machine was doing: load average and the busiest processes."""
    busiest = subprocess.run(
        ["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True
    ).stdout.splitlines()[:8]
    return {"loadavg": Path("/proc/loadavg").read_text().split()[:3], "busiest": [" ".join(b.split()) for b in busiest]}


def restart_redis(port: int, down_seconds: float) -> dict:
    """Stop the classroom's Redis (SHUTDOWN NOSAVE on its port) and start it again on the same port."""
    stopped = time.time()
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)
    time.sleep(down_seconds)
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
        capture_output=True,
    )
    return {"down_seconds": round(time.time() - stopped, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--abusers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--restart-redis-after", type=float, default=0)
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-down", type=float, default=5.0)
    parser.add_argument("--locust", default=str(ROOT / "var" / "loadenv" / "bin" / "locust"))
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lab-load-"))
    (work / "plan.json").write_text(json.dumps(django_json("plan")))
    before = django_json("snapshot")
    env = {
        **os.environ,
        "LAB_LOAD_PLAN": str(work / "plan.json"),
        "LAB_LOAD_OUT": str(work / "results.json"),
        "LAB_LOAD_ABUSERS": str(args.abusers),
    }
    machine_before = machine()
    command = [
        args.locust, "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
        "-u", str(args.users + args.abusers), "-r", "20", "-t", f"{args.seconds}s", "--host", args.host,
        "--stop-timeout", "30",
    ]  # fmt: skip
    with open(work / "locust.log", "w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        fault = {}
        if args.restart_redis_after:
            time.sleep(args.restart_redis_after)
            machine_during = machine()
            fault = restart_redis(args.redis_port, args.redis_down)
        else:
            time.sleep(args.seconds / 2)
            machine_during = machine()
        locust.wait()
    results = json.loads((work / "results.json").read_text())
    after = django_json("snapshot")
    changed = [table for table, digest in before["tables"].items() if after["tables"].get(table) != digest]
    summary = {
        **results,
        "canonical_tables_changed": changed,
        "learner_rows_left": {t: n for t, n in after["learner_rows"].items() if n},
        "redis_restart": fault,
        "machine_before": machine_before,
        "machine_during": machine_during,
        "locust_log": str(work / "locust.log"),
    }
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    held = not changed and not summary["learner_rows_left"] and results["5xx_other_than_503"] == 0
    held = held and results["run"]["cross_learner_leaks"] == 0
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
