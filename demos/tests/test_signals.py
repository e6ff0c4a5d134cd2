"""Signals track: every demo, S1 (the dispatcher), and the rules every signals demo follows.

Each fact a lesson states is asserted from the demo's lab report, by step and
fact keys. The other modules: test_signals_lifecycle and test_signals_related
(S2), test_signals_m2m (S3), test_signals_transactions (S4),
test_signals_reliable (S5, S6); lab/tests/test_signals_order.py checks the
timeline's causal order.
"""

import pytest
from django.db.models.signals import post_save

from demos.signals import sandbox_receivers
from lab import registry
from lab.signals import connected
from sandbox.models import Author, Book, Customer, Order, Publisher, Review, Store

SIGNALS_DEMOS = [d for d in registry.all_demos() if d.track == "signals"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Cover files a demo writes stay out of var/ (the root conftest already uses the lab's email backend)."""
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


# -- every demo -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("demo", SIGNALS_DEMOS, ids=lambda d: d.slug)
def test_each_signals_demo_runs_with_its_default_inputs_and_leaves_the_seed_unchanged(demo, run_demo):
    before = canonical_state()
    lab = run_demo(demo.slug)
    assert set(demo.reports) <= lab.sections
    assert canonical_state() == before


def test_every_signals_demo_asks_for_a_prediction():
    """The point of every signals demo is a count, an order or a yes/no (grading: test_code_rules.py)."""
    assert all(demo.predictions for demo in SIGNALS_DEMOS)


def test_the_receiver_switches_list_every_sandbox_receiver_by_dotted_name():
    names = sandbox_receivers()
    assert "sandbox.receivers.books.log_book_saved" in names
    assert "sandbox.receivers.reviews.update_review_stats" in names
    assert "sandbox.receivers.orders.notify_warehouse" in names
    assert "sandbox.receivers.stores.log_stock_changed" in names


# -- S1 -----------------------------------------------------------------------------------


def test_the_corrected_concept_page_receiver_runs_when_a_book_is_saved(run_demo):
    lab = run_demo("signals.dispatcher")
    step = lab.get("save_book")
    assert "books.log_book_saved" in step.facts["receivers"]
    assert any("A1 has been saved" in line for line in step.log)
    assert lab.focus_key == "save_book"


def test_has_listeners_is_true_for_book_and_false_for_store_which_has_no_post_save_receiver(run_demo):
    step = run_demo("signals.dispatcher").get("who_listens")
    assert step.facts["book"] is True
    assert step.facts["store"] is False  # the lab records sends without listening itself
    assert ["sandbox.log_book_saved", "sandbox.receivers.books.log_book_saved"] in step.tables[0].rows


def test_a_custom_signal_passes_its_arguments_and_signal_to_the_receiver(run_demo):
    step = run_demo("signals.dispatcher").get("ship")
    assert step.facts["responses"] == 1
    assert step.tables[0].rows == [["sandbox.teaching.signals.pack", "packed A1; also got ['signal']"]]
    (sent,) = [e for e in step.signals if e.kind == "signal"]
    assert (sent.name, sent.sender) == ("shipped", "Store")


def test_disconnect_returns_true_then_false_and_leaves_no_listeners(run_demo):
    lab = run_demo("signals.dispatcher")
    assert lab.get("connect_pack").facts["has_listeners"] is True
    step = lab.get("disconnect_twice")
    assert (step.facts["first"], step.facts["second"]) == (True, False)
    assert lab.get("ship_again").facts["responses"] == []
    assert "returned True, then False" in lab.headline_text


def test_the_dispatcher_prediction_is_graded_from_the_run(run_demo):
    lab = run_demo("signals.dispatcher")
    (prediction,) = registry.get("signals.dispatcher").predictions
    assert prediction.grade(lab, "returns False") == (True, "returns False")
    assert prediction.grade(lab, "raises an error") == (False, "returns False")


def test_the_lessons_mock_receiver_pattern_sees_created_and_leaves_nothing_connected(seeded):
    # The pattern lesson S5 shows, run as written.
    from unittest import mock

    handler = mock.Mock()
    post_save.connect(handler, sender=Book, dispatch_uid="test.handler")
    try:
        Book.objects.create(title="T", price=1, pages=1, rating=1, publisher_id=1)
    finally:
        post_save.disconnect(sender=Book, dispatch_uid="test.handler")
    assert handler.call_args.kwargs["created"] is True
    assert "test.handler" not in [c.dispatch_uid for c in connected(post_save)]


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


@pytest.mark.parametrize("demo", SIGNALS_DEMOS, ids=lambda d: d.slug)
def test_each_prediction_points_at_a_section_of_the_lesson_that_shows_the_demo(demo, client, seeded):
    from lessons.catalogue import get_catalogue

    (lesson,) = get_catalogue().demo_uses(demo.slug)
    html = client.get(lesson.url).content.decode()
    for prediction in demo.predictions:
        assert f'id="{prediction.see.removeprefix("#")}"' in html, (lesson.url, prediction.see)
