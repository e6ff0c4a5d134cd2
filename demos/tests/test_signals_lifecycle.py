"""Signals track S2: the lifecycle signals, what sends none, related updates, and save() inside post_save."""

import threading
import time

import django
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models.signals import pre_save

from lab import registry
from lab.recorder import Recorder
from lab.runner import run_demo as run_for
from lab.testing import recorded
from sandbox.models import Book, CheapBook
from sandbox.teaching.signals_lifecycle import FIXTURE


def sends(step, name=None):
    return [e for e in step.signals if e.kind == "signal" and (name is None or e.name == name)]


# -- the tracer ---------------------------------------------------------------------------


def test_create_sends_one_pre_save_and_one_post_save_with_created_true_then_false(run_demo):
    lab = run_demo("signals.tracer", action="lifecycle")
    created = lab.get("create_book")
    assert created.facts["sent"] == ["pre_save(Book)", "post_save(Book)"]
    assert created.facts["created"] is True
    assert lab.get("save_book").facts["created"] is False
    assert lab.headline_text.startswith("created=True on create(), created=False on the next save()")


def test_pre_save_receiver_changes_what_is_written(run_demo):
    step = run_demo("signals.tracer", action="lifecycle").get("create_book")
    assert step.facts["typed"] == "··The···Signal··Path·"
    assert step.facts["stored"] == "The·Signal·Path"


def test_save_with_update_fields_sends_a_frozenset(run_demo):
    update_fields = run_demo("signals.tracer", action="lifecycle").get("rename_book").facts["update_fields"]
    assert update_fields == frozenset({"title"})
    assert isinstance(update_fields, frozenset)


def test_get_or_create_creates_on_its_create_path(run_demo):
    step = run_demo("signals.tracer", action="shortcuts").get("get_or_create_book")
    assert step.facts["returned_created"] is True
    assert step.facts["created"] is True


def test_update_or_create_saves_every_key_in_defaults_changed_or_not_plus_pre_save_fields(run_demo):
    """Issue 14.4: QuerySet.update_or_create saves update_fields = set(defaults) + fields with their own pre_save()."""
    lab = run_demo("signals.tracer", action="shortcuts")
    step = lab.get("update_or_create_book")
    assert step.facts["returned_created"] is False
    assert step.facts["created"] is False
    assert step.facts["defaults"] == ["price", "stock"]
    assert step.facts["changed"] == ["stock"]  # the price was passed as it was
    assert step.facts["update_fields"] == frozenset({"stock", "price", "updated", "cover"})
    assert step.facts["added"] == ["cover", "updated"]  # auto_now and FileField have their own pre_save()
    (update,) = [q for q in step.queries if q.sql.startswith("UPDATE")]
    assert all(f'"{column}"' in update.sql for column in ("stock", "price", "updated", "cover"))
    assert "saved 4 fields" in lab.headline_text and "1 changed value" in lab.headline_text


def test_publisher_delete_sends_pre_delete_for_reviews_then_books_then_the_publisher(run_demo):
    lab = run_demo("signals.tracer", action="delete-publisher")
    step = lab.get("delete_publisher")
    assert step.facts["pre_delete"] == ["Review", "Review", "Book", "Book", "Publisher"]
    # Every pre_delete comes before the first post_delete.
    assert [e.name for e in sends(step)] == ["pre_delete"] * 5 + ["post_delete"] * 5
    # The review receiver updates A1 while the cascade deletes it: the wasted UPDATE the lesson points at.
    assert step.facts["receivers"].count("reviews.update_review_stats") == 2
    # Cascaded books never go through Book.delete(), yet their post_delete receivers run (lesson S4's cover clean-up).
    assert step.facts["receivers"].count("books.delete_cover_file") == 2
    assert [e.details["instance"] for e in sends(step, "post_delete") if e.sender == "Book"] == [
        "<Book: A2>",
        "<Book: A1>",
    ]
    assert {e.details["origin"] for e in sends(step)} == {"<Publisher: A>"}
    # Nobody listens to OrderItem, and through rows never send signals: Django deletes them in bulk, silently.
    assert step.facts["silent"] == ["sandbox.Book_authors", "sandbox.OrderItem", "sandbox.Store_books"]
    deleted = step.facts["deleted"][1]
    assert (deleted["sandbox.Book_authors"], deleted["sandbox.Store_books"], deleted["sandbox.OrderItem"]) == (3, 4, 4)
    assert "Review×2, Book×2, Publisher×1" in lab.headline_text


def test_queryset_delete_signals_every_cascaded_object_with_the_queryset_as_origin(run_demo):
    step = run_demo("signals.tracer", action="queryset-delete").get("delete_publishers_named")
    assert step.facts["pre_delete"] == ["Review", "Review", "Book", "Book", "Publisher"]
    assert step.facts["origin"] == ["<QuerySet of Publisher>"]


def test_a_switched_off_receiver_is_skipped_for_that_run_only(run_demo):
    name = "sandbox.receivers.books.log_book_saved"
    step = run_demo("signals.tracer", action="lifecycle", disabled_receivers=[name]).get("create_book")
    assert "books.log_book_saved" not in step.facts["receivers"]
    assert [e.name for e in step.signals if e.kind == "skipped"] == [name]
    assert "books.log_book_saved" in run_demo("signals.tracer").get("save_book").facts["receivers"]


def test_with_tidy_book_title_off_the_title_is_stored_as_typed(run_demo):
    lab = run_demo("signals.tracer", action="lifecycle", disabled_receivers=["sandbox.receivers.books.tidy_book_title"])
    step = lab.get("create_book")
    assert step.facts["stored"] == step.facts["typed"] == "··The···Signal··Path·"


def test_the_tracer_predictions_are_graded_for_the_action_that_ran(run_demo):
    created, update = registry.get("signals.tracer").predictions
    lifecycle = run_demo("signals.tracer", action="lifecycle")
    assert created.grade(lifecycle, "False") == (True, "False")
    shortcuts = run_demo("signals.tracer", action="shortcuts")
    assert update.grade(shortcuts, "stock, price and more") == (True, "stock, price and more")
    assert created.answer(shortcuts) == ""  # not asked of this action


def retry_while_locked(execute, sql, params, many, context):
    """SQLite's in-memory test database locks whole tables: wait for the other writer, as a file database would."""
    for _ in range(400):
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.005)
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_two_learners_tracing_at_once_see_only_their_own_events(seeded):
    demo = registry.get("signals.tracer")
    form = demo.form({"action": "lifecycle"})
    assert form.is_valid()
    barrier = threading.Barrier(2)
    labs: dict[str, Recorder] = {}
    learners = {"aaaaaaaaaaaaaaaa": "sandbox.receivers.books.log_book_saved", "bbbbbbbbbbbbbbbb": ""}

    def learner_runs(learner: str) -> None:
        try:
            barrier.wait(timeout=10)
            options = {"disabled_receivers": [learners[learner]] if learners[learner] else []}
            with connection.execute_wrapper(retry_while_locked):
                labs[learner] = run_for(demo, form.cleaned_data, learner=learner, options=options)
        finally:
            connection.close()

    threads = [threading.Thread(target=learner_runs, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    a, b = labs["aaaaaaaaaaaaaaaa"], labs["bbbbbbbbbbbbbbbb"]
    assert not a.error and not b.error
    for lab in (a, b):
        assert [len(sends(s)) for s in lab.steps] == [2, 2, 2, 2]  # one book's lifecycle each, nothing of the other
    assert [e.kind for e in a.signals].count("skipped") == 3
    assert [e.kind for e in b.signals].count("skipped") == 0
    assert [line for s in a.steps for line in s.log] == []
    assert len([line for s in b.steps for line in s.log]) == 3


# -- what does not fire -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["set_stock", "bulk_create_books", "raise_prices", "restock_with_sql"])
def test_bulk_writes_and_raw_sql_send_no_save_signals(run_demo, key):
    step = run_demo("signals.what-fires").get(key)
    assert step.facts["rows"] >= 1
    assert step.facts["save_signals"] == 0
    assert step.facts["receivers"] == []


def test_loading_a_fixture_sends_save_signals_with_raw_true(run_demo):
    step = run_demo("signals.what-fires").get("load_fixture")
    assert step.facts["raw"] == [True, True]
    assert "books.tidy_book_title" in step.facts["receivers"]  # ran, and returned early on raw


def test_m2m_changed_gets_raw_from_django_6_1_and_not_on_5_2(run_demo):
    m2m = sends(run_demo("signals.what-fires").get("load_fixture"), "m2m_changed")
    assert [e.details["action"] for e in m2m] == ["pre_add", "post_add"]
    if django.VERSION >= (6, 1):
        assert [e.details["raw"] for e in m2m] == [True, True]
    else:
        assert all("raw" not in e.details for e in m2m)


def test_loaddata_sends_raw_true_too(seeded):
    with recorded() as lab:
        call_command("loaddata", str(FIXTURE), verbosity=0)
    assert [e.details["raw"] for e in sends(lab.get("test")) if e.name in ("pre_save", "post_save")] == [True, True]
    assert Book.objects.filter(title="  Loaded   From a Fixture ").exists()  # raw=True: stored exactly as written


def test_saving_the_proxy_sends_with_cheapbook_as_sender_and_book_receivers_do_not_run(run_demo):
    step = run_demo("signals.what-fires").get("create_cheap_book")
    assert step.facts["senders"] == ["CheapBook"]
    assert step.facts["save_signals"] == 2
    assert step.facts["receivers"] == []


def test_a_receiver_registered_for_book_gets_zero_calls_for_a_proxy_create(seeded):
    calls = []

    def on_book(sender, **kwargs):
        calls.append(sender)

    pre_save.connect(on_book, sender=Book, dispatch_uid="test.on_book")
    try:
        CheapBook.objects.create(title="Cheap", price=1, pages=1, rating=1, publisher_id=1)
        assert calls == []
        Book.objects.create(title="Dear", price=1, pages=1, rating=1, publisher_id=1)
        assert calls == [Book]
    finally:
        pre_save.disconnect(sender=Book, dispatch_uid="test.on_book")


def test_create_and_save_do_fire_and_the_headline_says_so(run_demo):
    lab = run_demo("signals.what-fires")
    assert lab.get("create_and_save").facts["save_signals"] == 4
    assert (
        lab.headline_text
        == "update(), bulk_create(), bulk_update() and raw SQL sent 0 save signals; create() + save() sent 4"
    )
    does_update_send, proxy = registry.get("signals.what-fires").predictions
    assert does_update_send.grade(lab, "No") == (True, "No")
    assert proxy.grade(lab, "Yes") == (False, "No")
