"""Caching, lessons 3 and 4: finding a cached page's key, to delete one page and start cold.

The views that are cached live in `sandbox/endpoints/caching.py`; this is the
code you write around them.
"""

from __future__ import annotations

from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest
from django.utils.cache import get_cache_key


def forget_cached_page(request: HttpRequest, cache: BaseCache) -> str | None:
    """Delete the page cached for this request's URL; return its key (None if no page was cached).

    get_cache_key() first reads the header list the response stored (which
    request headers the page varies on), then builds the page's key from this
    request's values of those headers: the same steps the cache middleware takes.
    """
    key = get_cache_key(request, cache=cache)
    if key:
        cache.delete(key)
    return key
