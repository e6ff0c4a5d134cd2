"""`manage.py runlab`: the development server, with private Redis and Memcached servers when they are installed.

`make run` uses it, so the caching track compares all five backends out of the
box. The servers listen on free loopback ports, keep nothing on disk and stop
with the site (Ctrl-C). A REDIS_URL or MEMCACHED_LOCATION already set is used
as it is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import ExitStack

from django.conf import settings
from django.core.management.base import BaseCommand

from lab.services import ServiceUnavailable, memcached_server, redis_server

HOW_TO_INSTALL = (
    "sudo apt-get install redis-server memcached (Debian/Ubuntu) or brew install redis memcached (macOS), "
    "then make run again"
)


class Command(BaseCommand):
    help = "Serve the site for local lab mode, with private Redis and Memcached servers when they are installed."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        env = dict(os.environ)
        # Stopped by a process manager (SIGTERM): unwind like Ctrl-C, so the servers stop too.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        with ExitStack() as services:
            for line in start_services(services, env):
                self.stdout.write(line)
            command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver", addrport]
            server = subprocess.Popen(command, env=env)
            try:
                server.wait()
            except KeyboardInterrupt:
                pass  # runserver got the Ctrl-C too
            finally:
                if server.poll() is None:
                    server.terminate()
                    server.wait(timeout=10)


def start_services(services: ExitStack, env: dict[str, str]) -> list[str]:
    """Start a private Redis and Memcached into `services` unless `env` names one; set `env`; say what happened."""
    said = []
    for variable, start, name in (
        ("REDIS_URL", redis_server, "Redis"),
        ("MEMCACHED_LOCATION", memcached_server, "Memcached"),
    ):
        if env.get(variable):
            said.append(f"{name}: {env[variable]} (from {variable})")
            continue
        try:
            env[variable] = services.enter_context(start())
        except ServiceUnavailable as exc:
            said.append(f"{name}: not started ({exc}). To compare all five cache backends: {HOW_TO_INSTALL}")
        else:
            said.append(f"{name}: a private server at {env[variable]}, stopped with the site")
    return said
