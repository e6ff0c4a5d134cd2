"""Signals track S1-S3: each fact a lesson states, asserted from the demo's lab report."""

import threading
import time
from unittest import mock

import django
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models.signals import post_save, pre_save

from demos.signals import sandbox_receivers
from demos.signals_lifecycle import FIXTURE
from lab import registry
from lab.recorder import Recorder
from lab.runner import run_demo as run_for
from lab.testing import recorded
from sandbox.models import Author, Book, Customer, Order, Publisher, Review, Store

SIGNALS_DEMOS = [d for d in registry.all_demos() if d.track == "signals"]


@pytest.fixture(autouse=True)
def _lab_mail_and_media(settings, tmp_path):
    """pytest-django swaps in the plain locmem email backend; use the lab's, and keep cover files out of var/."""
    settings.EMAIL_BACKEND = "lab.mail.EmailBackend"
    settings.MEDIA_ROOT = tmp_path


def canonical_state():
    """Enough of the canonical seed to notice any change a demo left behind."""
    return {
        "counts": [m.objects.count() for m in (Publisher, Author, Book, Store, Customer, Order, Review)],
        "books": list(
            Book.objects.order_by("pk").values_list("title", "price", "stock", "review_count", "review_average")
        ),
        "authors": sorted(Book.authors.through.objects.values_list("book_id", "author_id")),
        "stock": sorted(Store.books.through.objects.values_list("store_id", "book_id")),
    }


def sends(step, name=None):
    return [e for e in step.signals if e.kind == "signal" and (name is None or e.name == name)]


# -- every demo -------------------------------------------------------------------------


@pytest.mark.parametrize("demo", SIGNALS_DEMOS, ids=lambda d: d.slug)
def test_each_signals_demo_runs_with_its_default_inputs_and_leaves_the_seed_unchanged(demo, run_demo):
    before = canonical_state()
    lab = run_demo(demo.slug)
    assert set(demo.reports) <= lab.sections
    assert canonical_state() == before


def test_the_receiver_switches_list_every_sandbox_receiver_by_dotted_name():
    names = sandbox_receivers()
    assert "sandbox.receivers.books.log_book_saved" in names
    assert "sandbox.receivers.reviews.update_review_stats" in names
    assert "sandbox.receivers.orders.notify_warehouse" in names


# -- S1 -----------------------------------------------------------------------------------


def test_the_corrected_concept_page_receiver_runs_when_a_book_is_saved(run_demo):
    step = run_demo("signals.dispatcher").get("Save a book")
    assert "books.log_book_saved" in step.facts["receivers that ran"]
    assert any("A1 has been saved" in line for line in step.log)


def test_the_lab_tracer_listens_to_every_sender_so_store_has_listeners(run_demo):
    step = run_demo("signals.dispatcher").get("Who listens to post_save?")
    assert step.facts["post_save.has_listeners(Store)"] is True
    assert ["sandbox.log_book_saved", "sandbox.receivers.books.log_book_saved"] in step.tables[0].rows


def test_disconnect_returns_true_then_false_and_leaves_no_listeners(run_demo):
    step = run_demo("signals.dispatcher").get("Disconnect, twice")
    assert step.facts["first disconnect()"] is True
    assert step.facts["second disconnect()"] is False
    assert step.facts["shipped.has_listeners()"] is False
    assert step.facts["shipped.send() now returns"] == []


# -- S2: the tracer ------------------------------------------------------------------------


def test_create_sends_one_pre_save_and_one_post_save_with_created_true_then_false(run_demo):
    lab = run_demo("signals.tracer", action="lifecycle")
    created = lab.get("Book.objects.create(...)")
    assert [e.name for e in sends(created)] == ["pre_save", "post_save"]
    assert sends(created, "post_save")[0].details["created"] is True
    again = lab.get("Save it again")
    assert sends(again, "post_save")[0].details["created"] is False


def test_pre_save_receiver_changes_what_is_written(run_demo):
    step = run_demo("signals.tracer", action="lifecycle").get("Book.objects.create(...)")
    assert step.facts["title as typed (· is a space)"] == "··The···Signal··Path·"
    assert step.facts["stored title"] == "The·Signal·Path"


def test_save_with_update_fields_sends_a_frozenset(run_demo):
    step = run_demo("signals.tracer", action="lifecycle").get("Save one field")
    update_fields = sends(step, "post_save")[0].details["update_fields"]
    assert update_fields == frozenset({"title"})
    assert isinstance(update_fields, frozenset)


def test_get_or_create_creates_and_update_or_create_updates_with_pre_save_fields_added(run_demo):
    lab = run_demo("signals.tracer", action="shortcuts")
    assert sends(lab.get("get_or_create(): the create path"), "post_save")[0].details["created"] is True
    updated = sends(lab.get("update_or_create(): the update path"), "post_save")[0].details
    assert updated["created"] is False
    # The changed default, plus every field with its own pre_save() (auto_now, FileField).
    assert updated["update_fields"] == frozenset({"stock", "updated", "cover"})


def test_publisher_delete_sends_pre_delete_for_reviews_then_books_then_the_publisher(run_demo):
    step = run_demo("signals.tracer", action="delete-publisher").get("Delete publisher A")
    pre = [e.sender for e in sends(step, "pre_delete")]
    assert pre == ["OrderItem"] * 4 + ["Review", "Review", "Book", "Book", "Publisher"]
    # Every pre_delete comes before the first post_delete.
    names = [e.name for e in sends(step)]
    assert names == ["pre_delete"] * 9 + ["post_delete"] * 9
    # The review receiver updates A1 while the cascade deletes it: the wasted UPDATE the lesson points at.
    assert step.facts["receivers that ran"].count("reviews.update_review_stats") == 2
    # Cascaded books never go through Book.delete(), yet their post_delete receivers run (lesson S4's cover clean-up).
    assert step.facts["receivers that ran"].count("books.delete_cover_file") == 2
    post_books = [e.details["instance"] for e in sends(step, "post_delete") if e.sender == "Book"]
    assert post_books == ["<Book: A2>", "<Book: A1>"]  # descending pk
    assert {e.details["origin"] for e in sends(step)} == {"<Publisher: A>"}
    # Auto-created m2m through rows are deleted without signals.
    deleted = step.facts["delete() returned"][1]
    assert (deleted["sandbox.Book_authors"], deleted["sandbox.Store_books"]) == (3, 4)
    assert not [e for e in sends(step) if e.sender in {"Book_authors", "Store_books"}]


def test_queryset_delete_signals_every_cascaded_object_with_the_queryset_as_origin(run_demo):
    step = run_demo("signals.tracer", action="queryset-delete").get("Delete through a queryset")
    pre = [e.sender for e in sends(step, "pre_delete") if e.sender in {"Review", "Book", "Publisher"}]
    assert pre == ["Review", "Review", "Book", "Book", "Publisher"]
    assert {e.details["origin"] for e in sends(step)} == {"<QuerySet of Publisher>"}


def test_a_switched_off_receiver_is_skipped_for_that_run_only(run_demo):
    name = "sandbox.receivers.books.log_book_saved"
    lab = run_demo("signals.tracer", action="lifecycle", disabled_receivers=[name])
    step = lab.get("Book.objects.create(...)")
    assert "books.log_book_saved" not in step.facts["receivers that ran"]
    assert [e.name for e in step.signals if e.kind == "skipped"] == [name]
    # The next run, without the switch, runs it again.
    assert "books.log_book_saved" in run_demo("signals.tracer").get("Save it again").facts["receivers that ran"]


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
        # One book's lifecycle each: 2 saves per save step, 2 deletes; nothing from the other run.
        assert [len(sends(s)) for s in lab.steps] == [2, 2, 2, 2]
    # Learner a switched log_book_saved off: skipped in a's run, ran (and logged) in b's only.
    assert [e.kind for e in a.signals].count("skipped") == 3
    assert [e.kind for e in b.signals].count("skipped") == 0
    assert [line for s in a.steps for line in s.log] == []
    assert len([line for s in b.steps for line in s.log]) == 3


# -- S2: what does not fire -------------------------------------------------------------------


@pytest.mark.parametrize("label", ["QuerySet.update()", "bulk_create()", "bulk_update()", "Raw SQL"])
def test_bulk_writes_and_raw_sql_send_no_save_signals(run_demo, label):
    step = run_demo("signals.what-fires").get(label)
    assert step.facts["rows updated" if "create" not in label else "rows created"] >= 1
    assert step.facts["save signals sent"] == 0
    assert step.facts["receivers that ran"] == []


def test_loading_a_fixture_sends_save_signals_with_raw_true(run_demo):
    step = run_demo("signals.what-fires").get("Loading a fixture")
    assert step.facts["raw in each save signal"] == [True, True]
    assert "books.tidy_book_title" in step.facts["receivers that ran"]  # ran, and returned early on raw


@pytest.mark.skipif(django.VERSION >= (6, 1), reason="Django 6.1 adds raw to m2m_changed")
def test_m2m_changed_has_no_raw_argument_on_django_5_2(run_demo):
    step = run_demo("signals.what-fires").get("Loading a fixture")
    m2m = sends(step, "m2m_changed")
    assert [e.details["action"] for e in m2m] == ["pre_add", "post_add"]
    assert all("raw" not in e.details for e in m2m)


def test_loaddata_sends_raw_true_too(seeded):
    with recorded() as lab:
        call_command("loaddata", str(FIXTURE), verbosity=0)
    assert [e.details["raw"] for e in sends(lab.get("test")) if e.name in ("pre_save", "post_save")] == [True, True]
    # raw=True: the pre_save receiver left the fixture's title exactly as written.
    assert Book.objects.filter(title="  Loaded   From a Fixture ").exists()


def test_saving_the_proxy_sends_with_cheapbook_as_sender_and_book_receivers_do_not_run(run_demo):
    step = run_demo("signals.what-fires").get("Saving the CheapBook proxy")
    assert step.facts["sender of the save signals"] == ["CheapBook"]
    assert step.facts["save signals sent"] == 2
    assert step.facts["receivers that ran"] == []


def test_a_receiver_registered_for_book_gets_zero_calls_for_a_proxy_create(seeded):
    calls = []

    def on_book(sender, **kwargs):
        calls.append(sender)

    pre_save.connect(on_book, sender=Book, dispatch_uid="test.on_book")
    try:
        from sandbox.models import CheapBook

        CheapBook.objects.create(title="Cheap", price=1, pages=1, rating=1, publisher_id=1)
        assert calls == []
        Book.objects.create(title="Dear", price=1, pages=1, rating=1, publisher_id=1)
        assert calls == [Book]
    finally:
        pre_save.disconnect(sender=Book, dispatch_uid="test.on_book")


def test_the_lessons_mock_receiver_pattern_sees_created(seeded):
    # The pattern lesson S5 shows, run as written.
    handler = mock.Mock()
    post_save.connect(handler, sender=Book, dispatch_uid="test.handler")
    try:
        Book.objects.create(title="T", price=1, pages=1, rating=1, publisher_id=1)
    finally:
        post_save.disconnect(sender=Book, dispatch_uid="test.handler")
    assert handler.call_args.kwargs["created"] is True
    assert "test.handler" not in [key[0] for key, _, _ in post_save.receivers]


def test_create_and_save_do_fire(run_demo):
    step = run_demo("signals.what-fires").get("The calls that do fire: create() and save()")
    assert step.facts["save signals sent"] == 4


# -- S2: related updates ------------------------------------------------------------------------


def test_review_receivers_keep_the_stored_stats_equal_to_the_annotation(run_demo):
    lab = run_demo("signals.review-stats", stars=1)
    assert lab.get("Before").facts["stored"] == (2, 4.0)
    assert lab.get("Add a review").facts["stored"] == (3, 3.0)
    assert lab.get("Add a review").facts["stored matches computed"] is True
    assert lab.get("Delete it").facts["stored"] == (2, 4.0)


def test_bulk_create_leaves_the_stored_review_stats_stale(run_demo):
    step = run_demo("signals.review-stats", stars=1).get("bulk_create() two reviews")
    assert step.facts["stored"] == (2, 4.0)
    assert step.facts["computed"] == (4, 2.5)
    assert step.facts["stored matches computed"] is False


def test_switching_the_review_receiver_off_lets_the_stats_drift(run_demo):
    lab = run_demo(
        "signals.review-stats", stars=1, disabled_receivers=["sandbox.receivers.reviews.update_review_stats"]
    )
    assert lab.get("Add a review").facts["stored matches computed"] is False


# -- S3: m2m_changed -------------------------------------------------------------------------------


@pytest.mark.parametrize("relation", ["authors", "stock"])
def test_m2m_changed_pairs_and_pk_sets(run_demo, relation):
    lab = run_demo("signals.m2m", relation=relation)
    key = "m2m_changed (action, pk_set)"
    assert lab.get("add() two").facts[key] == [("pre_add", {1, 2}), ("post_add", {1, 2})]
    assert lab.get("add() one that is already linked").facts[key] == [("pre_add", set()), ("post_add", set())]
    assert lab.get("set() to the same set").facts[key] == []
    # set() removes what goes, then adds what comes.
    assert lab.get("set() to a different set").facts[key] == [
        ("pre_remove", {2}),
        ("post_remove", {2}),
        ("pre_add", {3}),
        ("post_add", {3}),
    ]
    assert lab.get("set() to a different set").facts["linked now"] == [1, 3]
    assert lab.get("remove() one that was never linked").facts[key] == [("pre_remove", {4}), ("post_remove", {4})]
    clear = lab.get("add() back, then clear()").facts[key]
    assert clear[2:] == [("pre_clear", None), ("post_clear", None)]
    assert lab.get("through.objects.bulk_create()").facts[key] == []
    assert lab.get("through.objects.bulk_create()").facts["linked now"] == [1]


def test_removing_from_the_reverse_side_gives_the_author_as_instance_and_reverse_true(run_demo):
    step = run_demo("signals.m2m", relation="authors").get("remove() from the other side")
    assert step.facts["instance, reverse, model"] == ("<Author: Ada Adams>", True, "Book")


def test_a_modelform_saves_the_book_before_its_authors(run_demo):
    lab = run_demo("signals.modelform-order", authors=[1, 2])
    assert lab.get("form.save()").facts["signal order"] == ["pre_save", "post_save", "pre_add", "post_add"]
    assert lab.get("What post_save could see").facts["authors right after book.save()"] == []
    then = lab.get("Then the authors")
    assert then.facts["m2m_changed (action, pk_set)"] == [("pre_add", {1, 2}), ("post_add", {1, 2})]
    assert then.facts["authors now"] == [1, 2]


# -- what the check-yourself questions rely on ------------------------------------------------------


def test_with_tidy_book_title_off_the_title_is_stored_as_typed(run_demo):
    lab = run_demo("signals.tracer", action="lifecycle", disabled_receivers=["sandbox.receivers.books.tidy_book_title"])
    step = lab.get("Book.objects.create(...)")
    assert step.facts["stored title"] == step.facts["title as typed (· is a space)"] == "··The···Signal··Path·"


def test_a_modelform_with_one_author_sends_post_add_with_that_author_only(run_demo):
    lab = run_demo("signals.modelform-order", authors=[3])
    assert lab.get("What post_save could see").facts["authors right after book.save()"] == []
    assert lab.get("Then the authors").facts["m2m_changed (action, pk_set)"] == [("pre_add", {3}), ("post_add", {3})]


def test_post_init_runs_once_for_every_row_a_queryset_loads(seeded):
    from django.db.models.signals import post_init

    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=Book, dispatch_uid="test.count_post_init")
    try:
        books = list(Book.objects.filter(learner=""))
    finally:
        post_init.disconnect(sender=Book, dispatch_uid="test.count_post_init")
    assert sorted(loaded) == sorted(book.pk for book in books) == [1, 2, 3, 4, 5]


def test_the_authors_receiver_logs_changes_made_from_either_side(run_demo):
    lab = run_demo("signals.m2m", relation="authors")
    assert lab.get("add() two").log == [
        "log sandbox.receivers.books: M2M demo now has authors ['Ada Adams', 'Ben Brook']"
    ]
    # author.book_set.remove(book): instance is the Author, and the book's new authors are still logged.
    assert lab.get("remove() from the other side").log == [
        "log sandbox.receivers.books: M2M demo now has authors ['Cleo Chen']"
    ]


def test_post_delete_runs_model_by_model_right_after_that_models_rows_are_deleted(seeded):
    from django.db.models.signals import post_delete

    seen = []

    def review_deleted(sender, instance, **kwargs):
        # This review's row is gone already; its book's row is not, yet.
        seen.append((Review.objects.filter(pk=instance.pk).exists(), Book.objects.filter(pk=instance.book_id).exists()))

    post_delete.connect(review_deleted, sender=Review, dispatch_uid="test.review_deleted")
    try:
        Publisher.objects.get(name="A", learner="").delete()
    finally:
        post_delete.disconnect(sender=Review, dispatch_uid="test.review_deleted")
    assert seen == [(False, True), (False, True)]


def test_a_model_sender_can_be_named_lazily_as_app_label_dot_model(seeded):
    calls = []

    def on_book(sender, **kwargs):
        calls.append(sender)

    post_save.connect(on_book, sender="sandbox.Book", dispatch_uid="test.lazy_sender")
    try:
        Book.objects.create(title="Lazy", price=1, pages=1, rating=1, publisher_id=1)
    finally:
        post_save.disconnect(sender="sandbox.Book", dispatch_uid="test.lazy_sender")
    assert calls == [Book]
