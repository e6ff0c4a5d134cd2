"""`manage.py runlab` (what `make run` serves with): private Redis and Memcached that stop with the site."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import require
from lab.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, by pid, with its command name."""
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
        for child in map(int, out):
            frontier.append(child)
            try:
                found[child] = Path(f"/proc/{child}/comm").read_text().strip()
            except OSError:
                pass
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def test_runlab_serves_the_site_with_private_servers_and_stops_them_with_it(tmp_path):
    import shutil

    require(shutil.which("redis-server") and shutil.which("memcached"), "redis-server and memcached are needed")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MEMCACHED_LOCATION"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "LAB_VAR_DIR": str(tmp_path), "LAB_TOOLBAR": "0"})
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runlab", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, status = time.monotonic() + 60, None  # a busy 2-core machine: runserver's start-up checks are slow
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        # The caching track compares all five backends out of the box: the backends lesson's form offers each.
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/caching/backends/", timeout=10).read().decode()
        assert "Redis (unavailable" not in page and "Memcached (unavailable" not in page
        for alias, label in (("redis", "Redis"), ("memcached", "Memcached")):
            assert re.search(rf'<option value="{alias}"[^>]*>{label}</option>', page), alias
        running = descendants(proc.pid)
        assert {"redis-server", "memcached"} <= set(running.values())
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    assert "Redis: a private server at redis://127.0.0.1:" in output
    assert "Memcached: a private server at 127.0.0.1:" in output
    assert [name for pid, name in running.items() if alive(pid)] == []  # servers and runserver all stopped


def test_a_missing_binary_is_said_with_how_to_install_it_and_nothing_starts(monkeypatch):
    from contextlib import ExitStack

    from lab import services
    from lab.management.commands.runlab import start_services

    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    env = {}
    with ExitStack() as stack:
        said = start_services(stack, env)
    assert env == {}  # no REDIS_URL / MEMCACHED_LOCATION: the site runs with the three other backends
    assert said == [
        f"{name}: not started ({binary} is not installed). To compare all five cache backends: "
        "sudo apt-get install redis-server memcached (Debian/Ubuntu) or brew install redis memcached (macOS), "
        "then make run again"
        for name, binary in (("Redis", "redis-server"), ("Memcached", "memcached"))
    ]


def test_a_server_named_in_the_environment_is_used_as_it_is(monkeypatch):
    from contextlib import ExitStack

    from lab import services
    from lab.management.commands.runlab import start_services

    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    env = {"REDIS_URL": "redis://10.0.0.5:6379/3", "MEMCACHED_LOCATION": "10.0.0.6:11211"}
    with ExitStack() as stack:
        said = start_services(stack, env)
    assert env == {"REDIS_URL": "redis://10.0.0.5:6379/3", "MEMCACHED_LOCATION": "10.0.0.6:11211"}
    assert said == [
        "Redis: redis://10.0.0.5:6379/3 (from REDIS_URL)",
        "Memcached: 10.0.0.6:11211 (from MEMCACHED_LOCATION)",
    ]
