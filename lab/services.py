"""Private Redis and Memcached servers on free loopback ports: for `make run`, the tests and the benches.

Each server keeps nothing on disk and stops when its block ends, so a learner's
laptop gets all five cache backends without configuring anything, and tests
never touch a shared server.

    with redis_server() as url, memcached_server() as location:
        ...  # REDIS_URL=url, MEMCACHED_LOCATION=location
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


class ServiceUnavailable(RuntimeError):
    """The server's binary is not installed, or it did not start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceUnavailable(f"the server exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceUnavailable(f"the server did not listen on port {port} in {timeout} s")


@contextmanager
def _serve(command: list[str], port: int) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServiceUnavailable(f"{name} is not installed")
    return found


@contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server; yields its URL (redis://127.0.0.1:<port>/0)."""
    port = free_port()
    command = [binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with _serve(command, port):
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def memcached_server() -> Iterator[str]:
    """A private memcached (32 MB); yields its LOCATION (127.0.0.1:<port>)."""
    port = free_port()
    command = [binary("memcached"), "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "32"]
    if os.geteuid() == 0:  # memcached refuses to run as root unless told which user to be
        command += ["-u", "root"]
    with _serve(command, port):
        yield f"127.0.0.1:{port}"
