"""Limits on demo runs, so that no client can freeze the classroom, and they keep working when Redis does not.

Per learner      LAB_RATE_LIMIT runs a minute, and one run at a time.
Per address      LAB_NEW_LEARNER_LIMIT new learner ids a minute (dropping cookies resets nothing),
                 LAB_RUNS_PER_ADDRESS runs at once, and LAB_RUN_SECONDS_PER_ADDRESS seconds of
                 run time a minute (so no client can hold the classroom's run slots for long).
Per process      LAB_PROCESS_RUNS runs at once: fewer than the server's threads, so a lesson page
                 always finds a free thread however many runs are posted.
Site-wide        LAB_SITE_RUNS runs at once, across every worker of every app server.

Everything but the per-process count lives in the default cache (Redis in a classroom), so all
workers agree. A concurrency limit is a set of slots: `cache.add()` (SET NX) takes a free one, and
each expires on its own if the worker holding it dies. If the cache fails, the limits fall back to
this process's memory for FALLBACK_SECONDS (a warning is logged, and the run's report says the
shared limits are off); a run that started on Redis still ends with a report if Redis dies under it.

One module, past the usual 300 lines: every limit has a shared (Redis) and a per-process form and the
fall-back between them; keeping them side by side is what makes the degraded mode reviewable.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from .caches import toolbar_paused

logger = logging.getLogger("lab.limits")

FALLBACK_SECONDS = 5.0  # how long to keep to local limits after the shared cache failed, before trying it again
SLOT_MARGIN = 10  # a slot outlives its run's time limit by this much, then expires even if its worker died
PER_PROCESS_CACHES = ("locmem.LocMemCache", "dummy.DummyCache")

SHARED_OFF = (
    "The classroom's shared limits are off for now (its cache server is not answering), so this run "
    "was limited by this server alone."
)


def _server_failures() -> tuple[type[BaseException], ...]:
    """What a cache client raises when its server is down or slow (not a missing key's ValueError)."""
    from django.db import DatabaseError

    failures: list[type[BaseException]] = [OSError, EOFError, DatabaseError]
    try:
        from redis.exceptions import RedisError

        failures.append(RedisError)
    except ImportError:  # pragma: no cover - redis is in requirements.txt
        pass
    try:
        from pymemcache.exceptions import MemcacheError

        failures.append(MemcacheError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(failures)


SERVER_FAILURES = _server_failures()


class Store:
    """The default cache, or this process's own memory while the default cache fails.

    Every call says which one answered, so a slot taken in one is given back in the same one.
    """

    def __init__(self) -> None:
        self.local = LocMemCache("lab-limits", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.failed_until = 0.0
        self._lock = threading.Lock()

    def call(self, method: str, *args: Any, shared: bool = True, **kwargs: Any) -> tuple[Any, bool]:
        """`cache.<method>(...)` on the default cache if it is up (and `shared`), else on local memory."""
        if shared and time.monotonic() >= self.failed_until:
            try:
                # The lab's own keys (lab:rate, lab:new, lab:running) are not the page's cache use: kept out of
                # django-debug-toolbar's Cache panel, which would show them as if the demo had called the cache.
                with toolbar_paused():
                    return getattr(caches["default"], method)(*args, **kwargs), True
            except SERVER_FAILURES as exc:  # a limit must never turn a cache outage into a 500
                self._failed(exc)
        return getattr(self.local, method)(*args, **kwargs), False

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            first = time.monotonic() >= self.failed_until
            self.failed_until = time.monotonic() + FALLBACK_SECONDS
        if first:
            logger.warning(
                "The default cache failed (%s: %s): demo limits are per process for the next %g s.",
                type(exc).__name__,
                exc,
                FALLBACK_SECONDS,
            )

    @property
    def shared_configured(self) -> bool:
        return not settings.CACHES["default"]["BACKEND"].endswith(PER_PROCESS_CACHES)

    def reset(self) -> None:
        """Forget local counts and failures (tests)."""
        self.local.clear()
        self.failed_until = 0.0


store = Store()
_process_free = threading.Condition()
_process_runs = 0


@dataclass
class Refusal:
    """Why a run may not start now: 429 (this client is over a limit) or 503 (the site is full)."""

    status: int
    message: str
    retry_after: int


@dataclass
class Admission:
    refusal: Refusal | None = None
    degraded: bool = False  # a shared limit was checked in local memory: the report says so


def client_address(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or what a trusted proxy (LAB_TRUSTED_PROXIES) says it was.

    Behind nginx every request comes from nginx's address, and per-address limits would lump the
    whole class together. Only a proxy listed in the setting is believed, and only its last entry
    of X-Forwarded-For (the address it saw; anything before that the client could have written).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.LAB_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))  # it goes into cache keys: an address or nothing
        except ValueError:
            pass
    return remote


# -- counting runs a minute ------------------------------------------------------------------------


def allow_run(learner: str, now: float) -> tuple[bool, bool]:
    """(allowed, degraded): LAB_RATE_LIMIT runs per learner per minute, a fixed window."""
    return _allow(f"lab:rate:{learner}", settings.LAB_RATE_LIMIT, now)


def allow_new_learner(address: str, now: float) -> tuple[bool, bool]:
    """(allowed, degraded): LAB_NEW_LEARNER_LIMIT new learner ids per client address per minute.

    A run without a session cookie mints a learner id, and with it a fresh rate limit; without
    this cap a script that drops its cookies would never be limited. Generous, as a classroom
    behind one NAT address shares it.
    """
    return _allow(f"lab:new:{address}", settings.LAB_NEW_LEARNER_LIMIT, now)


def _allow(name: str, limit: int, now: float) -> tuple[bool, bool]:
    if limit <= 0:
        return True, False
    key = f"{name}:{int(now // 60)}"
    _, shared = store.call("add", key, 0, timeout=90)
    try:
        count, shared_incr = store.call("incr", key, shared=shared)
    except ValueError:  # expired (or the store changed) between add and incr
        _, shared_incr = store.call("set", key, 1, timeout=90, shared=shared)
        count = 1
    return count <= limit, not (shared and shared_incr) and store.shared_configured


def within_run_budget(address: str, now: float) -> tuple[bool, bool]:
    """(allowed, degraded): has this address used less than LAB_RUN_SECONDS_PER_ADDRESS of run time this minute?

    Runs at once per address bound how many slots one client holds; this bounds for how long. A
    client looping the heaviest demo spends its minute's budget in one or two runs and then waits,
    while a learner's runs (a fraction of a second each) never come near it.
    """
    budget = settings.LAB_RUN_SECONDS_PER_ADDRESS
    if budget <= 0:
        return True, False
    spent, shared = store.call("get", f"lab:run-ms:{address}:{int(now // 60)}", 0)
    return spent < budget * 1000, not shared and store.shared_configured


def charge_run_time(address: str, now: float, seconds: float) -> None:
    """Add a finished run's wall time to its address's budget for the minute it started in."""
    if settings.LAB_RUN_SECONDS_PER_ADDRESS <= 0:
        return
    key = f"lab:run-ms:{address}:{int(now // 60)}"
    _, shared = store.call("add", key, 0, timeout=120)
    try:
        store.call("incr", key, max(1, int(seconds * 1000)), shared=shared)
    except ValueError:  # expired in between
        store.call("set", key, max(1, int(seconds * 1000)), timeout=120, shared=shared)


def seconds_to_next_minute(now: float) -> int:
    return max(1, math.ceil(60 - now % 60))


# -- runs at once --------------------------------------------------------------------------------


@contextmanager
def slot(name: str, count: int, time_limit: float) -> Iterator[tuple[bool, bool]]:
    """(taken, degraded): hold one of `count` slots called `name` for the block, if one is free.

    Slots are tried in random order, so runs spread over them; each expires SLOT_MARGIN
    seconds after the time limit even if the worker holding it dies.
    """
    if count <= 0:
        yield True, False
        return
    token = secrets.token_hex(8)
    timeout = int(time_limit) + SLOT_MARGIN
    taken, shared = None, True
    for index in random.sample(range(count), count):
        key = f"{name}:{index}"
        added, shared = store.call("add", key, token, timeout=timeout, shared=shared)
        if added:
            taken = key
            break
    try:
        yield taken is not None, not shared and store.shared_configured
    finally:
        if taken is not None:
            _release(taken, token, shared)


def _release(key: str, token: str, shared: bool) -> None:
    try:
        held, answered_shared = store.call("get", key, shared=shared)
        if held == token and answered_shared == shared:  # never another run's slot, taken after ours expired
            store.call("delete", key, shared=shared)
    except Exception:  # giving a slot back must not turn a finished run into a 500; it expires anyway
        logger.exception("Could not give back the run slot %s", key)


@contextmanager
def process_slot() -> Iterator[bool]:
    """True if this process runs fewer than LAB_PROCESS_RUNS demos (then it holds one for the block).

    A run that finds them all taken waits up to LAB_RUN_QUEUE_SECONDS for one: a short queue,
    for servers that only run demos (deploy/classroom.sh's run servers). Where the same threads
    serve pages it stays 0, so a queued run never holds a thread a page needs.
    """
    global _process_runs
    limit = settings.LAB_PROCESS_RUNS
    with _process_free:
        taken = limit <= 0 or _process_free.wait_for(lambda: _process_runs < limit, settings.LAB_RUN_QUEUE_SECONDS)
        if taken:
            _process_runs += 1
    try:
        yield taken
    finally:
        if taken:
            with _process_free:
                _process_runs -= 1
                _process_free.notify()


@contextmanager
def admit(learner: str, address: str, time_limit: float) -> Iterator[Admission]:
    """Hold every concurrency slot a run needs for the block, or say which limit refused it.

    Cheapest first: this process's own count needs no network. The learner's own slot comes
    last, so a learner whose run is refused for the site being full is not told they are busy.
    """
    admission = Admission()
    with ExitStack() as stack:
        checks = [
            (
                process_slot(),
                Refusal(503, "This server is busy running other demos. Press Run again in a few seconds.", 5),
            ),
            (
                slot("lab:site-runs", settings.LAB_SITE_RUNS, time_limit),
                Refusal(503, "The classroom is busy running other demos. Press Run again in a few seconds.", 5),
            ),
            (
                slot(f"lab:address-runs:{address}", settings.LAB_RUNS_PER_ADDRESS, time_limit),
                Refusal(429, "Too many demos are running from your network at once. Try again in a few seconds.", 5),
            ),
            (
                slot(f"lab:running:{learner}", 1, time_limit),
                Refusal(429, "Your previous run is still going. Wait for its report, then press Run again.", 2),
            ),
        ]
        for manager, refusal in checks:
            result = stack.enter_context(manager)
            taken, degraded = result if isinstance(result, tuple) else (result, False)
            admission.degraded |= degraded
            if not taken:
                admission.refusal = refusal
                break
        yield admission


@contextmanager
def one_run_at_a_time(learner: str, time_limit: float) -> Iterator[bool]:
    """True if this learner has no other run going (then it holds the learner's slot for the block)."""
    with slot(f"lab:running:{learner}", 1, time_limit) as (taken, _):
        yield taken


def run_in_progress(learner: str) -> bool:
    """Whether a run of this learner holds its slot now (the sweeper leaves such a learner alone)."""
    held, _ = store.call("get", f"lab:running:{learner}:0")
    return held is not None
