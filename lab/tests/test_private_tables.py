"""A committing demo's rows are private to its run (lab.private), on SQLite and on PostgreSQL.

The lab's own demos commit into temporary copies of the bookshop's tables on their own
connection. These tests hold a committing run open at the moment its rows are committed and
look from another connection (another learner's thread), then hammer the real demos from two
threads and read every report the other learner got.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from lab import registry, runner
from lab.cards import render_report
from lab.runner import run_demo
from lab.testing import temporary_demo
from sandbox.models import Book, Publisher

A, B = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"


@pytest.fixture
def lab(seeded_tx, settings, tmp_path):
    settings.LAB_RATE_LIMIT = 0
    settings.MEDIA_ROOT = tmp_path


def commit_and_wait(committed: threading.Event, looked: threading.Event):
    """A committing demo that stops right after its COMMIT until the other thread has looked."""

    def demo(lab, data):
        with lab.section("Commit a book of your own", key="commit"):
            with transaction.atomic():
                publisher = Publisher.objects.create(name=f"Lab publisher {lab.learner}", learner=lab.learner)
                Book.objects.create(
                    title=f"Lab book {lab.learner}", price=Decimal(1), pages=1, rating=1, publisher=publisher
                )
            lab.get("commit").fact("seen by its own run", Book.objects.filter(title=f"Lab book {lab.learner}").count())
            committed.set()
            looked.wait(timeout=20)

    return demo


def in_thread(func, *args):
    """Run `func` in a thread of its own (its own database connection, as another worker thread has)."""
    result: dict = {}

    def target():
        try:
            result["value"] = func(*args)
        except BaseException as exc:  # surfaced by the test, not lost in the thread
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result


def others_view() -> list[str]:
    return list(Book.objects.filter(title__startswith="Lab book").values_list("title", flat=True))


def test_rows_a_committing_demo_committed_are_invisible_to_every_other_connection(lab):
    committed, looked = threading.Event(), threading.Event()
    with temporary_demo("test.commit-and-wait", commit_and_wait(committed, looked), commits=True) as demo:
        thread, result = in_thread(run_demo, demo, {}, A)
        assert committed.wait(timeout=20)
        try:
            seen = in_thread(others_view)
            seen[0].join()
        finally:
            looked.set()
            thread.join()
    assert "error" not in result and not result["value"].error, result
    assert result["value"].get("commit").facts["seen by its own run"] == 1  # the demo saw its own commit
    assert seen[1] == {"value": []}  # no other connection did, at the moment it was committed
    assert others_view() == []  # and the copies are gone afterwards


def test_without_private_tables_the_same_check_sees_the_other_learner_s_row(lab, monkeypatch):
    """The test above can fail: with the copies switched off, the other connection sees the row."""
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks a table another connection has written")
    monkeypatch.setattr(runner, "private_copies", nullcontext)
    committed, looked = threading.Event(), threading.Event()
    with temporary_demo("test.commit-and-wait", commit_and_wait(committed, looked), commits=True) as demo:
        thread, result = in_thread(run_demo, demo, {}, A)
        assert committed.wait(timeout=20)
        try:
            seen = in_thread(others_view)
            seen[0].join()
        finally:
            looked.set()
            thread.join()
    assert seen[1] == {"value": [f"Lab book {A}"]}
    Publisher.objects.filter(learner__in=["", A], name=f"Lab publisher {A}").delete()


def test_a_run_leaves_no_temporary_table_on_its_connection(lab):
    run_demo(registry.get("caching.invalidation-commit"), {"receiver_off": False}, learner=A)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # AUTOINCREMENT's own bookkeeping table stays (it cannot be dropped); it holds no rows of the demo's.
            cursor.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'")
        else:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND pg_table_is_visible(oid)")
        assert cursor.fetchone()[0] == 0


def test_one_learner_looping_a_committing_demo_never_shows_in_another_learner_s_reports(lab):
    """The classroom's finding: B's catalogue-search and group-by reports showed "Lab book <A's id>"."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database locks tables across threads; tests/test_classroom_server.py runs app servers on a file"
        )
    stop = threading.Event()
    runs = {"A": 0, "B": 0}
    leaks: list[str] = []

    def learner_a():
        demo = registry.get("caching.invalidation-commit")
        while not stop.is_set():
            recorder = run_demo(demo, {"receiver_off": False}, learner=A)
            assert not recorder.error, recorder.error
            runs["A"] += 1

    def learner_b():
        for _ in range(6):
            for slug in ("orm.catalogue-search", "orm.group-by"):
                demo = registry.get(slug)
                form = demo.form(demo.post_data())
                assert form.is_valid()
                recorder = run_demo(demo, form.cleaned_data, learner=B)
                assert not recorder.error, (slug, recorder.error)
                html = render_report(demo, recorder)
                if A in html:
                    leaks.append(slug)
                runs["B"] += 1

    a, a_result = in_thread(learner_a)
    try:
        b, b_result = in_thread(learner_b)
        b.join(timeout=120)
    finally:
        stop.set()
        a.join(timeout=60)
    assert "error" not in a_result and "error" not in b_result, (a_result, b_result)
    assert runs["A"] > 0 and runs["B"] == 12
    assert leaks == []


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize("options", [{"server_side_binding": True}, {"prepare_threshold": 5}])
def test_a_postgresql_configuration_that_prepares_statements_is_refused(settings, options):
    from lab.checks import private_tables_stay_private

    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "OPTIONS": options}}
    assert [e.id for e in private_tables_stay_private(None)] == ["lab.E001"]
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {}}}
    assert private_tables_stay_private(None) == []


def test_a_committing_demo_runs_inside_a_test_s_transaction_too(seeded):
    """Under the `db` fixture the copies are made inside a transaction, where foreign keys stay on."""
    recorder = run_demo(registry.get("caching.invalidation-commit"), {"receiver_off": False}, learner=A)
    assert not recorder.error, recorder.error
