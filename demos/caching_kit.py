"""What the caching demos share: the backend choice, requests as report steps, threads released together.

Not teaching code: the steps call the bookshop's functions and views; these
helpers only send the requests, read the results back and build the report.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from django import forms
from django.conf import settings
from django.db import connection, connections

from lab.backends import availability, backend_choices
from lab.handler import send
from lab.recorder import Recorder, Step, in_context, source_code

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
SHOWN_HEADERS = ("Cache-Control", "Expires", "Age", "Vary", "ETag", "Last-Modified", "Content-Type")


class BackendForm(forms.Form):
    backend = forms.ChoiceField(label="Cache backend", initial="locmem")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = backend_choices()


def backends_table(step: Step) -> dict:
    """Every lab backend's status as a table in `step`; returns the statuses."""
    statuses = availability()
    step.table(
        ["alias", "backend", "available", "why not", "how to start it"],
        [[s.alias, s.label, "yes" if s.available else "no", s.why, s.how] for s in statuses.values()],
    )
    return statuses


def require_backend(lab: Recorder, alias: str) -> bool:
    """Report every backend's status; True if `alias` can be used (else the report says why and how)."""
    with lab.section(f"Backend: {alias}", key="backend") as step:
        status = backends_table(step)[alias]
        step.fact("available", status.available, f"{alias} available")
        if not status.available:
            step.fact("why_not", status.why, "why not")
            step.fact("how", status.how, "to use it")
            lab.headline(f"{status.label} is unavailable here: {status.why}", focus=step)
    return status.available


def entry_stored(alias: str, cache, key: str) -> bool | None:
    """Is there an entry for `key` in the store, expired or not? None where the store can't be asked."""
    full = cache.make_key(key)
    if alias == "locmem":
        return full in cache._cache
    if alias == "file":
        return os.path.exists(cache._key_to_file(key))
    if alias == "db":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(settings.CACHES["db"]["LOCATION"])
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE cache_key = %s", [full])
            return cursor.fetchone()[0] > 0
    if alias == "redis":
        return bool(cache._cache.get_client(full).exists(full))
    return None  # memcached answers only get(), and an expired item is a miss


def entry_text(stored: bool | None) -> str:
    return "can't tell (the server hides expired items)" if stored is None else yes_no(stored)


# -- requests --------------------------------------------------------------------------


def visitor(user: str) -> dict[str, str]:
    """The cookie jar of a browser whose session belongs to `user`."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["user"] = user
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def request_line(method: str, path: str, headers: dict[str, str] | None = None, who: str = "") -> str:
    """What was sent, as a reader would write it: `GET /sandbox/caching/who/ (alice's cookie) If-None-Match: "…"`."""
    parts = [f"{method} {path}"]
    if who:
        parts.append(f"({who})")
    parts += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return " ".join(parts)


def middleware_code(stack: Iterable[Any], **settings_values: Any) -> str:
    """A MIDDLEWARE setting listing `stack` (dotted paths, or (path, factory) pairs), plus any other settings."""
    lines = ["MIDDLEWARE = ["]
    lines += [f"    {(item if isinstance(item, str) else item[0])!r}," for item in stack]
    lines.append("]")
    lines += [f"{name} = {value!r}" for name, value in settings_values.items()]
    return "\n".join(lines) + "\n"


def views_code(*views: Callable[..., Any]) -> str:
    """The source of the views a section's requests reach, decorators included."""
    return "\n\n".join(source_code(view).rstrip() for view in views) + "\n"


def body(response) -> str:
    return "(streaming)" if response.streaming else response.content.decode()


def show(step: Step, response) -> None:
    """Put a response's caching headers (and the cookies it sets) in the report."""
    step.response_headers = {k: v for k, v in response.items() if k in SHOWN_HEADERS}
    if response.cookies:
        step.response_headers["Set-Cookie"] = "; ".join(response.cookies)


def send_in(step: Step, stack, path: str, *, method: str = "GET", who: str = "", **kwargs: Any):
    """Send one request through `stack` inside the open section `step`; the step's call lists what was sent."""
    response = send(stack, path, method, **kwargs)
    sent = step.__dict__.setdefault("_sent", [])
    line = request_line(method, path, kwargs.get("headers"), who)
    if sent and sent[-1][0] == line:
        sent[-1][1] += 1
    else:
        sent.append([line, 1])
    step.call = " · ".join(line if count == 1 else f"{line} ×{count}" for line, count in sent)
    return response


def pages_stored(ops) -> list:
    """The page writes (cache_page entries, not header lists) among these cache calls."""
    return [op for op in ops if op.op == "set" and ".cache_page." in op.key]


# -- facts and predictions ---------------------------------------------------------------


def facts_from(step: Step, names: dict[str, str]) -> None:
    """Copy an experiment's result ({expression: value}) into facts: {fact key: expression}."""
    for key, expression in names.items():
        step.fact(key, step.result[expression], expression)


def fact_of(step_key: str, fact_key: str, default: Any = None) -> Callable[[Recorder], Any]:
    """Read one fact of a run, or `default` when the run stopped before that step (an unavailable backend)."""

    def read(lab: Recorder) -> Any:
        try:
            return lab.get(step_key).facts.get(fact_key, default)
        except KeyError:
            return default

    return read


def answer_of(step_key: str, fact_key: str, how: Callable[[Any], str] = str) -> Callable[[Recorder], str]:
    """A prediction's measured answer: `how(fact)`, or "" when the run stopped before measuring it."""

    def answer(lab: Recorder) -> str:
        value = fact_of(step_key, fact_key)(lab)
        return "" if value is None else how(value)

    return answer


def yes_no(value: Any) -> str:
    return "yes" if value else "no"


def ms(value: float) -> str:
    """A median for a headline, with the digits its size deserves."""
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 1 else f"{value * 1000:.0f} µs"


# -- threads -----------------------------------------------------------------------------


class Counted:
    """Calls `fn` and counts the calls, from any thread (how many times the expensive function ran)."""

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        with self._lock:
            self.calls += 1
        return self.fn()

    def __repr__(self) -> str:
        return getattr(self.fn, "__name__", "compute")


def all_at_once(n: int, func: Callable[[], Any]) -> list[Exception]:
    """Run `func()` in `n` threads released together by a barrier; return what the threads raised.

    Each thread records into this run (`in_context`) and closes its own database
    connections when it ends. An exception in a thread would otherwise only reach
    the server's stderr; the report shows it instead.
    """
    barrier = threading.Barrier(n)
    failed: list[Exception] = []

    def worker():
        try:
            barrier.wait()
            func()
        except Exception as exc:
            failed.append(exc)
        finally:
            connections.close_all()  # this thread's own database connections (the db backend opens one)

    threads = [threading.Thread(target=in_context(worker)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failed
