"""A classroom under load: learners reading lessons and running their demos, and a few abusive clients.

Run through bench/load/run.py (it makes the plan, takes the snapshots and sums up); by hand:

    var/loadenv/bin/locust -f bench/load/locustfile.py --headless -u 105 -r 20 -t 2m \
        --host http://127.0.0.1:8000   (LAB_LOAD_PLAN=plan.json LAB_LOAD_OUT=results.json)

Every simulated client connects from its own loopback address (127.x.y.z), so nginx sees one
address per learner, as in a real room. Learners keep their cookies; abusers drop theirs.

Recorded per request, for run.py: what it was (page, run, abuse), status, time, and whether a run's
report showed another learner's id (a cross-learner leak). Learner ids are read from each
learner's own signed session cookie.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import threading
import time
import zlib
from pathlib import Path

from locust import HttpUser, between, constant, events, task
from requests.adapters import HTTPAdapter

PLAN = json.loads(Path(os.environ.get("LAB_LOAD_PLAN", "plan.json")).read_text())
LESSONS = PLAN["lessons"]
HEAVY = os.environ.get("LAB_LOAD_HEAVY", "caching.backends")

RECORDS: list[tuple] = []  # (kind, status, ms, leak, shared limits off)
SHARED_OFF = "shared limits are off"
LEARNER_IDS: set[str] = set()
_lock = threading.Lock()
_addresses = (f"127.{i // 250 + 1}.{i % 250 + 1}.{j}" for i in itertools.count() for j in (10,))


class SourceAddress(HTTPAdapter):
    """Connect from one loopback address: nginx's $remote_addr, and so the client's address for the site."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def record(kind: str, response, started: float, leak: bool = False) -> None:
    off = kind == "run" and SHARED_OFF in response.text
    with _lock:
        RECORDS.append((kind, response.status_code, (time.perf_counter() - started) * 1000, leak, off))


def learner_id(session_cookie: str) -> str:
    payload = session_cookie.split(":")[0]
    body = payload.lstrip(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    data = json.loads(zlib.decompress(raw) if payload.startswith(".") else raw)
    return data.get("lab_learner", "")


class Client(HttpUser):
    abstract = True

    def on_start(self) -> None:
        with _lock:
            self.address = next(_addresses)
        self.client.mount("http://", SourceAddress(self.address))

    def csrf(self) -> str:
        token = self.client.cookies.get("csrftoken")
        if not token:
            self.client.get("/demos/", name="setup")
            token = self.client.cookies.get("csrftoken", "")
        return token

    def post_run(self, slug: str, data: dict, name: str):
        data = {"csrfmiddlewaretoken": self.csrf(), **data}
        return self.client.post(
            f"/demos/{slug}/run/", data=data, headers={"HX-Request": "true"}, name=name, catch_response=True
        )


class Learner(Client):
    """Reads a lesson, runs its demos with their default inputs now and then, moves on."""

    weight = 100
    wait_time = between(5, 20)  # a learner reads: one action every 12 s on average

    def on_start(self) -> None:
        super().on_start()
        self.lesson = random.choice(LESSONS)
        self.learner = ""

    @task(2)
    def read(self) -> None:
        if random.random() < 0.5:
            self.lesson = random.choice(LESSONS)
        started = time.perf_counter()
        with self.client.get(self.lesson["url"], name="page", catch_response=True) as response:
            record("page", response, started)
            if response.status_code == 200:
                response.success()

    @task(1)
    def run_a_demo(self) -> None:
        if not self.lesson["demos"]:
            self.read()
            return
        slug = random.choice(self.lesson["demos"])
        started = time.perf_counter()
        with self.post_run(slug, PLAN["demos"][slug], "run") as response:
            if not self.learner and self.client.cookies.get("sessionid"):
                self.learner = learner_id(self.client.cookies["sessionid"])
                with _lock:
                    LEARNER_IDS.add(self.learner)
            with _lock:
                others = LEARNER_IDS - {self.learner}
            leak = response.status_code == 200 and any(other in response.text for other in others)
            record("run", response, started, leak)
            if response.status_code in (200, 429, 503):
                response.success()  # a refusal with Retry-After is the site working; counted apart
            else:
                response.failure(f"HTTP {response.status_code}")


class Abuser(Client):
    """Floods heavy runs without cookies (a fresh learner each time), at full speed."""

    fixed_count = int(os.environ.get("LAB_LOAD_ABUSERS", "4"))
    wait_time = constant(0)

    @task(4)
    def heavy_run(self) -> None:
        self.client.cookies.clear()
        started = time.perf_counter()
        with self.post_run(HEAVY, PLAN["heaviest"][HEAVY], "abuse: heavy run") as response:
            record("abuse", response, started)
            response.success() if response.status_code < 500 or response.status_code == 503 else response.failure(
                f"HTTP {response.status_code}"
            )

    @task(1)
    def not_found(self) -> None:
        started = time.perf_counter()
        with self.client.get(f"/no/such/page/{random.randrange(10**9)}/", name="abuse: 404", catch_response=True) as r:
            record("abuse", r, started)
            r.success() if r.status_code == 404 else r.failure(f"HTTP {r.status_code}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


@events.test_stop.add_listener
def summarise(environment, **kwargs) -> None:
    summary: dict = {}
    for kind in ("page", "run", "abuse"):
        rows = [r for r in RECORDS if r[0] == kind]
        ok = [r[2] for r in rows if r[1] in (200, 404) or (kind == "abuse" and r[1] < 500)]
        statuses: dict[str, int] = {}
        for status in (r[1] for r in rows):
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        summary[kind] = {
            "requests": len(rows),
            "statuses": dict(sorted(statuses.items())),
            "p50_ms": round(percentile(ok, 50), 1),
            "p95_ms": round(percentile(ok, 95), 1),
            "max_ms": round(max(ok, default=0), 1),
            "cross_learner_leaks": sum(1 for r in rows if r[3]),
            "shared_limits_off": sum(1 for r in rows if r[4]),
        }
    summary["learners_with_a_session"] = len(LEARNER_IDS)
    summary["5xx_other_than_503"] = sum(1 for r in RECORDS if r[1] >= 500 and r[1] != 503)
    out = os.environ.get("LAB_LOAD_OUT", "results.json")
    with open(out, "w") as handle:
        json.dump(summary, handle, indent=1)
    print(json.dumps(summary, indent=1))
