"""The classroom as it is served: real gunicorn app servers (and nginx in front), DEBUG off.

- one client flooding heavy runs does not freeze lesson pages (lab.limits);
- a worker SIGKILLed right after its demo committed leaves no rows, and the sweeper removes its files;
- two app servers behind nginx share sessions, rate limits, one-run-at-a-time, lesson pages and isolation.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import require
from lab.services import free_port as _free_port

from .servers import (
    ROOT,
    Browser,
    Gunicorn,
    classroom_env,
    learner_of,
    manage,
    prepared_sqlite,
    signal_file,
    wait_for_file,
)

pytestmark = pytest.mark.servers
LESSON = "/orm/seeing-the-sql/"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("classroom-template")


@pytest.fixture
def var_dir(tmp_path, database_template) -> Path:
    prepared_sqlite(database_template, tmp_path / "var")
    return tmp_path / "var"


@pytest.fixture
def servers():
    started: list[Gunicorn] = []

    def start(env, **options) -> Gunicorn:
        started.append(Gunicorn(env, **options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def defaults(slug: str) -> dict:
    from lab import registry

    return registry.get(slug).post_data()


def learner_rows(var_dir: Path) -> list[tuple]:
    with sqlite3.connect(var_dir / "db.sqlite3") as db:
        return db.execute(
            "SELECT 'publisher', learner FROM sandbox_publisher WHERE learner <> '' "
            "UNION ALL SELECT 'book', learner FROM sandbox_book WHERE learner <> ''"
        ).fetchall()


def test_a_flood_of_heavy_runs_leaves_lesson_pages_fast(var_dir, servers):
    """The finding: 8 parallel heavy runs from one client held every thread; a lesson page took 30.7 s."""
    env = classroom_env(var_dir, LAB_PROCESS_RUNS="2", LAB_RATE_LIMIT="0")
    server = servers(env, workers=1, threads=8)
    Browser().request(server.url + LESSON)  # rendered once, as after any deploy
    results: list = []

    def flood() -> None:
        results.append(Browser().run(server.url, "test.burn", seconds="3"))

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    pages = [Browser().request(server.url + LESSON) for _ in range(5)]
    for thread in threads:
        thread.join(timeout=60)

    assert [p.status for p in pages] == [200] * 5
    assert max(p.seconds for p in pages) < 1.0, [round(p.seconds, 3) for p in pages]
    codes = sorted(r.status for r in results)
    assert codes == [200, 200] + [503] * 6, codes  # two runs at a time in this process; the rest told to retry
    refused = [r for r in results if r.status == 503]
    assert all(r.headers["Retry-After"] == "5" and "This server is busy" in r.body for r in refused)
    assert all(r.seconds < 1.0 for r in refused), "a refused run is answered at once, not queued"


def test_a_worker_killed_after_its_demo_committed_leaves_no_rows_and_the_sweeper_removes_its_cover(var_dir, servers):
    env = classroom_env(var_dir, LAB_RATE_LIMIT="0")
    server = servers(env, workers=1)
    learner_browser = Browser()
    learner_browser.request(server.url + "/demos/")
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(learner_browser.run(server.url, "test.hang-after-commit", timeout=30))
        except OSError as exc:  # the worker died under the request
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    reached = next(iter(signal_file(env, "x").parent.glob("commit-*.reached")), None)
    deadline = time.monotonic() + 30
    while reached is None:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.02)
        reached = next(iter(signal_file(env, "x").parent.glob("commit-*.reached")), None)
    learner = reached.name.removeprefix("commit-").removesuffix(".reached")
    worker = int(reached.read_text())
    assert worker in server.worker_pids()
    covers = var_dir / "media" / "covers" / learner
    assert (covers / "cover.txt").exists()  # committed: the file is written, and the row with it

    os.kill(worker, signal.SIGKILL)
    thread.join(timeout=30)

    assert learner_rows(var_dir) == []  # the commit went into private tables, which died with the connection
    assert covers.exists()  # files have no transaction: this is what a crash leaves
    swept = manage(env, "sweep_sandbox", "--min-age", "0")
    assert "1 cover folder(s)" in swept.stdout
    assert not covers.exists()
    assert Browser().request(server.url + LESSON).status == 200  # gunicorn replaced the worker


# -- two app servers behind nginx --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_var_dir(tmp_path_factory, database_template) -> Path:
    var_dir = tmp_path_factory.mktemp("classroom") / "var"
    prepared_sqlite(database_template, var_dir)
    return var_dir


@pytest.fixture(scope="module")
def classroom(shared_var_dir, redis_server, tmp_path_factory):
    """deploy/classroom.sh start: two gunicorn app servers and nginx, one private Redis, one SQLite file."""
    require(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx)")
    var_dir, tmp_path = shared_var_dir, tmp_path_factory.mktemp("run")
    ports, run_ports = [_free_port(), _free_port()], [_free_port(), _free_port()]
    env = classroom_env(
        var_dir,
        REDIS_URL=redis_server.rsplit("/", 1)[0] + "/7",
        LAB_PORT=str(_free_port()),
        LAB_APP_PORTS=" ".join(map(str, ports)),
        LAB_RUN_PORTS=" ".join(map(str, run_ports)),
        LAB_RUN_DIR=str(tmp_path / "run"),
        LAB_RATE_LIMIT="4",
        WEB_CONCURRENCY="1",
    )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    script = str(ROOT / "deploy" / "classroom.sh")
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=180)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        env["run_servers"] = " ".join(f"127.0.0.1:{p}" for p in run_ports)
        yield env, f"http://127.0.0.1:{env['LAB_PORT']}", [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=60)
        time.sleep(0.5)


def test_nginx_spreads_pages_over_the_app_servers_and_runs_over_the_run_servers(classroom):
    env, balancer, apps = classroom
    browser = Browser()
    upstreams = {browser.request(balancer + LESSON).headers["X-Lab-Upstream"] for _ in range(12)}
    assert upstreams == {app.removeprefix("http://") for app in apps}
    run = browser.run(balancer, "orm.explain-index")
    assert run.status == 200 and run.headers["X-Lab-Upstream"] in env["run_servers"].split()


def test_a_learner_is_the_same_learner_on_every_app_server_and_shares_one_rate_limit(classroom):
    _, balancer, apps = classroom
    browser = Browser()
    first = browser.run(balancer, "orm.explain-index")
    assert first.status == 200, first.body[:500]
    learner = learner_of(browser)
    codes = [browser.run(app, "orm.explain-index").status for app in (*apps, apps[0])]
    assert learner_of(browser) == learner  # the signed session cookie is good on every server
    assert codes == [200, 200, 200]  # four runs in all: LAB_RATE_LIMIT=4
    over = browser.run(apps[1], "orm.explain-index")
    assert over.status == 429 and "faster than the lab allows" in over.body


def test_one_run_at_a_time_holds_across_app_servers(classroom):
    env, _, apps = classroom
    browser = Browser()
    browser.request(apps[0] + "/demos/")
    browser.run(apps[0], "orm.explain-index")  # a session, so both servers know the learner
    learner = learner_of(browser)
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(browser.run(apps[0], "test.wait")))
    thread.start()
    try:
        wait_for_file(signal_file(env, f"wait-{learner}.reached"))
        busy = browser.run(apps[1], "orm.explain-index")
    finally:
        signal_file(env, f"wait-{learner}.release").write_text("")
        thread.join(timeout=30)
    assert busy.status == 429 and "previous run is still going" in busy.body
    assert outcome[0].status == 200


def test_both_app_servers_serve_the_same_lesson_page(classroom):
    import re

    _, _, apps = classroom
    pages = [Browser().request(app + LESSON).body for app in apps]
    strip = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page) for page in pages]
    assert strip[0] == strip[1] and "csrfmiddlewaretoken" in pages[0]


def test_a_committed_row_on_one_app_server_is_invisible_to_another_learner_on_the_other(classroom, shared_var_dir):
    env, _, apps = classroom
    a, b = Browser(), Browser()
    a.request(apps[0] + "/demos/")
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(a.run(apps[0], "test.hang-after-commit")))
    thread.start()
    try:
        reached = None
        deadline = time.monotonic() + 30
        while reached is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
            reached = next(iter(Path(env["LAB_TEST_SIGNALS"]).glob("commit-*.reached")), None)
        learner = reached.name.removeprefix("commit-").removesuffix(".reached")
        reports = [b.run(apps[1], slug, **defaults(slug)) for slug in ("orm.catalogue-search", "orm.group-by")]
    finally:
        signal_file(env, f"commit-{learner}.release").write_text("")
        thread.join(timeout=30)
    assert [r.status for r in reports] == [200, 200]
    assert all(learner not in r.body for r in reports)
    assert outcome[0].status == 200
    assert learner_rows(shared_var_dir) == []


def test_a_learner_committing_on_one_server_never_shows_in_another_learner_s_reports_on_the_other(classroom):
    """The finding as it was seen: A loops caching.invalidation-commit, B's reports showed "Lab book <A's id>"."""
    _, _, apps = classroom
    a, b = Browser(), Browser()
    a.request(apps[0] + "/demos/")
    a_runs: list = []
    done = threading.Event()

    def learner_a() -> None:
        while not done.is_set() and len(a_runs) < 4:  # LAB_RATE_LIMIT=4 in this module
            a_runs.append(a.run(apps[0], "caching.invalidation-commit").status)

    thread = threading.Thread(target=learner_a)
    thread.start()
    try:
        reports = [b.run(apps[1], slug, **defaults(slug)) for slug in ("orm.catalogue-search", "orm.group-by") * 2]
    finally:
        done.set()
        thread.join(timeout=60)
    learner = learner_of(a)
    assert a_runs and set(a_runs) == {200}
    assert [r.status for r in reports] == [200] * 4
    assert [r for r in reports if learner in r.body] == []
