"""'Since your last run': the differences between two real runs of a demo, for every kind of report."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from lab import registry, since
from lab.cards import render_report


def changes_between(run_demo, slug: str, first: dict, second: dict) -> dict[str, since.Change]:
    a = since.snapshot(run_demo(slug, **first), first)
    b = since.snapshot(run_demo(slug, **second), second)
    found = since.compare(a, b)
    assert found is not None
    return {c.kind: c for c in found}


def test_a_first_run_has_nothing_to_compare_with(run_demo):
    assert since.compare(None, since.snapshot(run_demo("orm.lazy"))) is None


def test_the_same_run_twice_only_reports_its_time(run_demo):
    changes = changes_between(run_demo, "orm.lazy", {}, {})
    assert list(changes) == ["time"]


def test_sql_changes_are_counted_and_diffed(run_demo):
    naive = {"strategy": "naive", "compare_with": ""}
    joined = {"strategy": "select_related", "compare_with": ""}
    changes = changes_between(run_demo, "orm.related-loading", naive, joined)
    sql = changes["sql"]
    before = len(run_demo("orm.related-loading", **naive).queries)
    after = len(run_demo("orm.related-loading", **joined).queries)
    assert before > after
    assert sql.text.startswith(f"{before} queries → {after}")  # as measured
    assert "JOIN" in str(sql.figure)  # the diff shows the join select_related added
    assert changes["inputs"].text == "strategy naive → select_related"


def test_a_switched_off_receiver_shows_in_the_signal_sequence(run_demo):
    receiver = "sandbox.receivers.books.log_book_saved"
    changes = changes_between(run_demo, "signals.tracer", {}, {"disabled_receivers": [receiver]})
    lines = changes["signals"].lines
    assert "receiver log_book_saved ran" in lines[0] and "log_book_saved switched off" not in lines[0]
    assert "receiver log_book_saved switched off" in lines[1]


def test_a_reordered_stack_shows_in_the_middleware_sequence(run_demo):
    changes = changes_between(run_demo, "middleware.onion", {"order": "A,B,C"}, {"order": "C,A,B"})
    last, this = changes["trace"].lines
    assert last.startswith("− last run: C init · B init · A init · A in · B in · C in")
    assert this.startswith("+ this run: B init · A init · C init · C in · A in · B in")
    assert "headline" in changes  # the headline names the order, so it changed too


def test_headers_a_switch_removes_are_listed(run_demo):
    changes = changes_between(run_demo, "middleware.headers", {}, {"gzip": False})
    assert any(line.startswith("− Content-Encoding") for line in changes["headers"].lines)


def test_cache_hits_and_misses_are_compared(run_demo):
    first = since.snapshot(run_demo("caching.per-view"))
    changed = dict(first, hits=first["hits"] + 1)  # a previous run with one hit more
    change = {c.kind: c for c in since.compare(changed, first)}["cache"]
    assert change.text == (
        f"{first['hits'] + 1} hits, {first['misses']} misses → {first['hits']} hits, {first['misses']} misses"
        f" ({first['cache_calls']} calls)"
    )


def test_timing_medians_are_compared_as_a_percentage(run_demo):
    a = since.snapshot(run_demo("caching.timing-lab", trials=5))
    b = since.snapshot(run_demo("caching.timing-lab", trials=5))
    timings = {c.kind: c for c in since.compare(a, b)}["timings"]
    key = next(iter(b["timings"]))
    assert timings.text.startswith(key.split("/", 1)[1] + ": median ")
    assert timings.text.endswith("%)")


def test_the_run_view_keeps_the_last_run_per_learner_and_shows_the_block(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    htmx = {"HTTP_HX_REQUEST": "true"}
    first = client.post("/demos/orm.lazy/run/", {"trigger": "list"}, **htmx).content.decode()
    assert 'data-report="since"' not in first
    second = client.post("/demos/orm.lazy/run/", {"trigger": "len"}, **htmx).content.decode()
    assert 'data-report="since"' in second
    assert "trigger list → len" in second
    other = client.__class__().post("/demos/orm.lazy/run/", {"trigger": "len"}, **htmx).content.decode()
    assert 'data-report="since"' not in other  # another learner has no last run of their own


def test_a_broken_cache_costs_the_block_not_the_run(monkeypatch, run_demo):
    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(caches["default"], "get", broken)
    assert since.recall_and_remember("0123456789abcdef", "orm.lazy", {}) is None


@pytest.mark.parametrize("slug", ["orm.lazy", "middleware.onion"])
def test_the_block_sits_right_under_the_headline(run_demo, slug):
    lab = run_demo(slug)
    snap = since.snapshot(lab)
    html = render_report(registry.get(slug), lab, since=since.compare(snap, snap))
    assert html.index("data-headline") < html.index('data-report="since"') < html.index("data-step=")
