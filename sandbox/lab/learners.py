"""Who is running a demo: a random id kept in the learner's session.

The id scopes everything a learner can touch: rows a demo commits, cache keys
(sandbox.lab.cache.learner_cache), and the rate limit.
"""

import re
import secrets

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

SESSION_KEY = "lab_learner"
LEARNER_RE = re.compile(r"[0-9a-f]{16}")


def learner_id(request: HttpRequest) -> str:
    learner = request.session.get(SESSION_KEY)
    # The session is signed, so only this site wrote it; still, the id goes into cache keys
    # and file paths, so anything but the shape we make is replaced rather than trusted.
    if not isinstance(learner, str) or not LEARNER_RE.fullmatch(learner):
        learner = secrets.token_hex(8)
        request.session[SESSION_KEY] = learner
    return learner


def allow_run(learner: str, now: float) -> bool:
    """A fixed-window rate limit: LAB_RATE_LIMIT runs per learner per minute.

    Kept in the default cache (Redis in a classroom), so every worker agrees.
    """
    limit = settings.LAB_RATE_LIMIT
    if limit <= 0:
        return True
    cache = caches["default"]
    key = f"lab:rate:{learner}:{int(now // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count <= limit
