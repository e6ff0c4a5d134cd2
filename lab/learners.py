"""Who is running a demo: a random id kept in the learner's session.

The id scopes everything a learner can touch: rows a demo commits, cache keys
(`lab.caches.learner_key`, the learner caches' KEY_FUNCTION), and the limits on
runs (`lab.limits`).
`current` holds the learner of the code running now: a demo run sets it for
its whole run, `LearnerMiddleware` for a browser's own visit to a sandbox page.
"""

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest

SESSION_KEY = "lab_learner"
LEARNER_RE = re.compile(r"[0-9a-f]{16}")

# A learner id, or a callable that finds it (the middleware reads the session only if a cache asks).
current: ContextVar[str | Callable[[], str]] = ContextVar("lab_learner", default="")


def current_learner() -> str:
    value = current.get()
    return value() if callable(value) else value


@contextmanager
def as_learner(learner: str) -> Iterator[None]:
    """Run the block as `learner`: the learner caches keep its keys apart from everyone else's."""
    token = current.set(learner)
    try:
        yield
    finally:
        current.reset(token)


def learner_id(request: HttpRequest) -> str:
    learner = request.session.get(SESSION_KEY)
    # The session is signed, so only this site wrote it; still, the id goes into cache keys
    # and file paths, so anything but the shape we make is replaced rather than trusted.
    if not has_learner(request):
        learner = secrets.token_hex(8)
        request.session[SESSION_KEY] = learner
    return learner


def has_learner(request: HttpRequest) -> bool:
    learner = request.session.get(SESSION_KEY)
    return isinstance(learner, str) and LEARNER_RE.fullmatch(learner) is not None


def session_learner(request: HttpRequest) -> str:
    """The learner id in this request's session, or "" (never one this site did not make)."""
    session = getattr(request, "session", None)
    return session[SESSION_KEY] if session is not None and has_learner(request) else ""


class LearnerMiddleware:
    """A browser visiting a sandbox page is its session's learner (a demo's inner requests keep the run's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if current.get():
            return self.get_response(request)
        token = current.set(lambda: session_learner(request))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
