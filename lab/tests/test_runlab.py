"""`manage.py runlab` (what `make run` serves with): private Redis and Memcached that stop with the site."""

import os
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
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        running = descendants(proc.pid)
        assert {"redis-server", "memcached"} <= set(running.values())
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    assert "Redis: a private server at redis://127.0.0.1:" in output
    assert "Memcached: a private server at 127.0.0.1:" in output
    assert [name for pid, name in running.items() if alive(pid)] == []  # servers and runserver all stopped
