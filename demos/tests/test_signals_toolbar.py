"""What lesson S1 says about django-debug-toolbar's Signals panel, checked against the installed toolbar."""

from django.http import HttpResponse
from django.test import RequestFactory

from lab import registry
from lab.runner import run_demo


def signals_panel_stats() -> dict[str, list[str]]:
    """The receivers the toolbar's Signals panel would list for a request, by signal name."""
    from debug_toolbar.toolbar import DebugToolbar

    request = RequestFactory().get("/")
    toolbar = DebugToolbar(request, lambda request: HttpResponse())
    panel = toolbar.get_panel_by_id("SignalsPanel")
    panel.generate_stats(request, HttpResponse())
    return dict(panel.get_stats()["signals"])


def test_the_signals_panel_lists_receivers_by_function_name_only():
    post_save = signals_panel_stats()["post_save"]
    assert "log_book_saved" in post_save
    # Connected for Review only, yet listed under post_save with no sender.
    assert "update_review_stats" in post_save
    # The lab records sends without connecting a receiver of its own, so the panel lists only the bookshop's.
    assert not [name for name in post_save if "tracer" in name or "lab" in name]
    assert not [name for name in post_save if "." in name]


def test_the_signals_panel_lists_built_in_signals_and_only_the_custom_ones_in_extra_signals(settings):
    names = signals_panel_stats()
    assert {"pre_save", "post_save", "m2m_changed", "request_started"} <= set(names)
    assert "order_placed" in names  # listed in DEBUG_TOOLBAR_CONFIG["EXTRA_SIGNALS"]
    settings.DEBUG_TOOLBAR_CONFIG = {**settings.DEBUG_TOOLBAR_CONFIG, "EXTRA_SIGNALS": []}
    assert "order_placed" not in signals_panel_stats()


def test_the_signals_panel_is_a_map_of_listeners_not_a_log_of_sends(seeded):
    before = signals_panel_stats()
    lab = run_demo(registry.get("signals.what-fires"), {}, learner="")
    assert lab.signals  # the run sent plenty of signals...
    assert signals_panel_stats() == before  # ...and the panel's list did not change
