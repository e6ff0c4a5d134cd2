"""The debug toolbar agrees with the card: the lab's own limit keys stay out of its Cache panel, and the card
says why the toolbar's SQL panel counts more statements than the report."""

from __future__ import annotations

import time

import pytest
from debug_toolbar.panels.cache import _monkey_patch_cache
from django.core.cache import caches

from lab import limits, registry
from lab.cards import render_report


class Panel:
    """Stands in for the toolbar's CachePanel: it records each call it is handed, as the real one does."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def _record_call(self, cache, alias, name, original_method, args, kwargs):
        self.keys.append(str(args[0]) if args else name)
        return original_method(*args, **kwargs)


@pytest.fixture
def toolbar_cache_panel():
    cache = caches["default"]
    panel = Panel()
    _monkey_patch_cache(cache, "default", panel)
    yield panel
    cache._djdt_panel = None


def test_the_lab_limits_keys_never_reach_the_toolbar_cache_panel(toolbar_cache_panel, settings):
    settings.LAB_RATE_LIMIT = 5
    now = time.time()
    assert limits.allow_run("0123456789abcdef", now)[0]
    assert limits.allow_new_learner("127.0.0.1", now)[0]
    with limits.admit("0123456789abcdef", "127.0.0.1", 10) as admission:
        assert admission.refusal is None
    caches["default"].get("the-page-itself")  # a page's own cache call is still recorded
    assert toolbar_cache_panel.keys == ["the-page-itself"]


def test_with_the_toolbar_on_the_card_says_why_its_sql_panel_counts_more(run_demo, settings):
    settings.DEBUG, settings.TOOLBAR_ENABLED = True, True
    html = render_report(registry.get("orm.lazy"), run_demo("orm.lazy"))
    assert "data-toolbar-note" in html and "SAVEPOINT" in html
    committing = next(d for d in registry.all_demos() if d.commits)
    assert "private copies" in render_report(committing, run_demo(committing.slug))


def test_without_the_toolbar_there_is_no_note(run_demo, settings):
    settings.DEBUG = False
    assert "data-toolbar-note" not in render_report(registry.get("orm.lazy"), run_demo("orm.lazy"))
