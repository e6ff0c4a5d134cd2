"""Signals track S2: related updates kept by receivers, save() inside post_save, and the lesson's other claims."""

import pytest
from django.db.models.signals import post_delete, post_init, pre_delete

from lab import registry
from lab.testing import recorded
from sandbox.models import Book, Publisher, Review


def sends(step, name=None):
    return [e for e in step.signals if e.kind == "signal" and (name is None or e.name == name)]


# -- related updates --------------------------------------------------------------------------------


def test_review_receivers_keep_the_stored_stats_equal_to_the_annotation(run_demo):
    lab = run_demo("signals.review-stats", stars=1)
    assert lab.get("review_book").facts["before"] == (2, 4.0)
    assert lab.get("review_book").facts["stored"] == (3, 3.0)
    assert lab.get("review_book").facts["matches"] is True
    assert lab.get("delete_review").facts["stored"] == (2, 4.0)


def test_bulk_create_leaves_the_stored_review_stats_stale(run_demo):
    lab = run_demo("signals.review-stats", stars=1)
    step = lab.get("bulk_review")
    assert (step.facts["stored"], step.facts["computed"], step.facts["matches"]) == ((2, 4.0), (4, 2.5), False)
    assert lab.headline_text.endswith("the book says 2 reviews, its reviews say 4")


def test_switching_the_review_receiver_off_lets_the_stats_drift(run_demo):
    off = ["sandbox.receivers.reviews.update_review_stats"]
    assert (
        run_demo("signals.review-stats", stars=1, disabled_receivers=off).get("review_book").facts["matches"] is False
    )


def test_post_init_runs_once_for_every_row_a_queryset_loads(seeded):
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=Book, dispatch_uid="test.count_post_init")
    try:
        books = list(Book.objects.filter(learner=""))
    finally:
        post_init.disconnect(sender=Book, dispatch_uid="test.count_post_init")
    assert sorted(loaded) == sorted(book.pk for book in books) == [1, 2, 3, 4, 5]


def test_post_delete_runs_model_by_model_right_after_that_models_rows_are_deleted(seeded):
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


# -- save() inside post_save ------------------------------------------------------------------------


def test_save_inside_post_save_recurses_until_the_lab_stops_it(run_demo):
    lab = run_demo("signals.save-in-post-save")
    mistake = lab.get("mistake")
    assert mistake.error_type == "RunawayRecursion"
    assert mistake.facts["post_save"] == mistake.facts["updates"] == 4  # 1 save, then 3 more from the receiver
    # Each post_save is nested inside the receiver run that caused it.
    depths = [e.depth for e in sends(mistake, "post_save")]
    assert depths == sorted(depths) and len(set(depths)) == 4
    assert lab.get("fixed").facts["post_save"] == 1
    assert "signals_related.refresh_blurb_with_update" in lab.get("fixed").facts["receivers"]
    (prediction,) = registry.get("signals.save-in-post-save").predictions
    assert prediction.answer(lab) == "more, until something stops it"


def test_a_guarded_receiver_saves_once_more_with_update_fields_and_stops(run_demo):
    """Issue 14: the fix with update_fields + a guard: one extra post_save and a one-column UPDATE, then it returns."""
    lab = run_demo("signals.save-in-post-save")
    guarded = lab.get("guarded")
    assert not guarded.error
    assert guarded.facts["post_save"] == guarded.facts["updates"] == 2
    assert guarded.facts["update_fields"] == [None, frozenset({"blurb"})]
    assert guarded.queries[-1].sql.startswith('UPDATE "sandbox_book" SET "blurb" = ')
    assert guarded.facts["receivers"].count("signals_related.refresh_blurb_with_guard") == 2
    assert guarded.facts["receivers"].count("books.tidy_book_title") == 2  # every Book receiver runs again
    assert lab.headline_text.endswith("with update(): 1; with update_fields and a guard: 2")


def test_the_recursing_receiver_is_connected_for_that_run_only(run_demo, seeded):
    from django.db.models.signals import post_save

    from lab.signals import connected

    run_demo("signals.save-in-post-save")
    assert not [c for c in connected(post_save) if "refresh_blurb" in c.name]
    book = Book.objects.get(title="A1")
    book.save()  # no receiver left behind: no recursion outside the run
    assert Book.objects.get(pk=book.pk).blurb == book.blurb


# -- what the lesson says beyond the demos, checked -------------------------------------------------


def test_one_pre_delete_receiver_for_every_sender_turns_the_order_items_fast_delete_into_signalled_rows(seeded):
    """Lesson S2's note: a receiver with no sender makes Django fetch and signal every cascaded row."""

    from django.db import transaction

    def anything(sender, **kwargs):
        pass

    def delete_publisher_a():
        with recorded() as lab, transaction.atomic():
            Publisher.objects.get(name="A", learner="").delete()
            transaction.set_rollback(True)
        return [e.sender for e in sends(lab.get("test"), "pre_delete")]

    assert "OrderItem" not in delete_publisher_a()
    pre_delete.connect(anything, dispatch_uid="test.every_sender")
    try:
        assert delete_publisher_a().count("OrderItem") == 4
    finally:
        pre_delete.disconnect(dispatch_uid="test.every_sender")


def test_without_the_labs_limit_save_inside_post_save_ends_in_recursion_error(seeded):
    """Lesson S2: unchecked, the receiver runs until Python's recursion limit raises RecursionError."""
    from django.db import transaction
    from django.db.models.signals import post_save

    from sandbox.teaching.signals_related import refresh_blurb

    post_save.connect(refresh_blurb, sender=Book, dispatch_uid="test.refresh_blurb")
    try:
        with pytest.raises(RecursionError), transaction.atomic():
            Book.objects.get(title="A1").save()
    finally:
        post_save.disconnect(sender=Book, dispatch_uid="test.refresh_blurb")


def test_with_no_receiver_for_a_through_model_django_sends_no_m2m_changed(seeded):
    """sandbox/receivers/stores.py says so: without it, store.books.add() would send nothing."""
    from django.db.models.signals import m2m_changed

    from sandbox.models import Store
    from sandbox.receivers.stores import log_stock_changed

    store = Store.objects.create(name="Quiet")
    assert m2m_changed.disconnect(sender=Store.books.through, dispatch_uid="sandbox.log_stock_changed")
    try:
        with recorded() as lab:
            store.books.add(Book.objects.get(title="A1"))
    finally:
        m2m_changed.connect(log_stock_changed, sender=Store.books.through, dispatch_uid="sandbox.log_stock_changed")
    assert sends(lab.get("test")) == []
    with recorded() as lab:
        store.books.add(Book.objects.get(title="A2"))
    assert [e.details["action"] for e in sends(lab.get("test"))] == ["pre_add", "post_add"]
