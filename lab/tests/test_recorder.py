"""The lab recorder: SQL via execute_wrapper, the signal tracer, isolation between runs."""

import threading

from django.db import connection

from lab.recorder import Recorder, active, in_context, recording
from lab.testing import recorded
from sandbox.models import Book, Publisher


def test_raw_sql_is_recorded_with_params_and_time(seeded):
    with recorded() as lab:
        with connection.cursor() as cursor:
            cursor.execute("SELECT title FROM sandbox_book WHERE price > %s", [10])
            cursor.fetchall()
    (query,) = lab.queries
    assert query.params == [10]
    assert "price > 10" in query.display
    assert query.ms >= 0


def test_model_signals_are_traced_with_their_arguments(seeded):
    with recorded() as lab:
        book = Book.objects.get(title="A1")
        book.save(update_fields=["title"])
    sent = [(e.name, e.details.get("update_fields")) for e in lab.signals if e.kind == "signal"]
    assert sent == [("pre_save", frozenset({"title"})), ("post_save", frozenset({"title"}))]


def test_no_recorder_is_active_outside_a_run(seeded):
    assert active() is None
    Publisher.objects.count()  # the hooks are no-ops


def test_threads_started_with_in_context_record_into_the_same_run(seeded_tx):
    with recorded() as lab:
        thread = threading.Thread(target=in_context(lambda: Book.objects.count()))
        thread.start()
        thread.join()
    assert [q.error for q in lab.queries] == [""]


def test_two_runs_in_two_threads_record_separately(seeded_tx):
    barrier = threading.Barrier(2)
    labs = {}

    def run(name, title):
        lab = Recorder(learner=name)
        with recording(lab), lab.section("run"):
            barrier.wait()
            for _ in range(3):
                list(Book.objects.filter(title=title))
        labs[name] = lab

    threads = [threading.Thread(target=run, args=(n, t)) for n, t in [("ann", "A1"), ("bob", "B1")]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("'A1'" in q.display for q in labs["ann"].queries)
    assert all("'B1'" in q.display for q in labs["bob"].queries)
    assert len(labs["ann"].queries) == len(labs["bob"].queries) == 3


def test_a_series_reports_median_and_spread():
    from lab.recorder import Step

    series = Step("timings").timings("t", [5.0, 1.0, 3.0])
    assert (series.median, series.low, series.high) == (3.0, 1.0, 5.0)


def test_django_errors_from_a_demos_inner_requests_stay_out_of_the_console():
    import logging

    from lab.recorder import OutsideLabRuns

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", None, None)
    assert OutsideLabRuns().filter(record) is True
    with recording(Recorder()):
        assert OutsideLabRuns().filter(record) is False
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "django_console")
    assert any(isinstance(f, OutsideLabRuns) for f in handler.filters)


def test_a_queryset_argument_is_named_in_the_call_without_running_it(seeded):
    from functools import partial

    def titles(books):
        return [b.title for b in books]

    lab = Recorder()
    with recording(lab):
        step = lab.step("titles", partial(titles, Book.objects.order_by("pk")))
    assert step.call == "titles(<QuerySet of Book>)"
    assert len(step.queries) == 1  # the loop's own query, not a repr() of the argument
