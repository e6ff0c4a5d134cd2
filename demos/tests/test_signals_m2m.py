"""Signals track S3: m2m_changed and the order a ModelForm writes in."""

import pytest

from lab import registry


@pytest.mark.parametrize("relation", ["authors", "stock"])
def test_m2m_changed_pairs_and_pk_sets(run_demo, relation):
    lab = run_demo("signals.m2m", relation=relation)
    assert lab.get("add_links").facts["m2m_changed"] == [("pre_add", {1, 2}), ("post_add", {1, 2})]
    assert lab.get("add_again").facts["m2m_changed"] == [("pre_add", set()), ("post_add", set())]
    assert lab.get("set_links").facts["m2m_changed"] == []
    # set() removes what goes, then adds what comes.
    assert lab.get("set_different").facts["m2m_changed"] == [
        ("pre_remove", {2}),
        ("post_remove", {2}),
        ("pre_add", {3}),
        ("post_add", {3}),
    ]
    assert lab.get("set_different").facts["linked"] == [1, 3]
    assert lab.get("remove_links").facts["m2m_changed"] == [("pre_remove", {4}), ("post_remove", {4})]
    assert lab.get("add_then_clear").facts["m2m_changed"][2:] == [("pre_clear", None), ("post_clear", None)]
    assert lab.get("bulk_link").facts["m2m_changed"] == []
    assert lab.get("bulk_link").facts["linked"] == [1]
    assert (
        lab.headline_text
        == "add() of a linked row still sent 2 m2m_changed (pk_set=set()); set() to the same set sent 0"
    )


def test_removing_from_the_reverse_side_gives_the_author_as_instance_and_reverse_true(run_demo):
    step = run_demo("signals.m2m", relation="authors").get("remove_from_other_side")
    assert step.facts["instance_reverse_model"] == ("<Author: Ada Adams>", True, "Book")


def test_the_authors_receiver_logs_changes_made_from_either_side(run_demo):
    lab = run_demo("signals.m2m", relation="authors")
    assert lab.get("add_links").log == [
        "log sandbox.receivers.books: M2M demo now has authors ['Ada Adams', 'Ben Brook']"
    ]
    # author.book_set.remove(book): instance is the Author, and the book's new authors are still logged.
    assert lab.get("remove_from_other_side").log == [
        "log sandbox.receivers.books: M2M demo now has authors ['Cleo Chen']"
    ]


def test_the_stock_receiver_logs_a_stores_titles(run_demo):
    lab = run_demo("signals.m2m", relation="stock")
    assert lab.get("add_links").log == ["log sandbox.receivers.stores: M2M demo now stocks ['A1', 'A2']"]


def test_with_nobody_listening_to_a_through_model_django_sends_no_m2m_changed(run_demo):
    off = ["sandbox.receivers.stores.log_stock_changed"]
    lab = run_demo("signals.m2m", relation="stock", disabled_receivers=off)
    # Switched off for the run, still connected: the signal is sent, the receiver skipped.
    assert lab.get("add_links").facts["m2m_changed"] == [("pre_add", {1, 2}), ("post_add", {1, 2})]
    assert [e.kind for e in lab.get("add_links").signals].count("skipped") == 2


def test_the_m2m_prediction_is_graded_from_the_run(run_demo):
    lab = run_demo("signals.m2m")
    (prediction,) = registry.get("signals.m2m").predictions
    assert prediction.answer(lab) == "pre_add and post_add with an empty pk_set"


def test_a_modelform_saves_the_book_before_its_authors(run_demo):
    lab = run_demo("signals.modelform-order", authors=[1, 2])
    assert lab.get("save_book_form").facts["order"] == ["pre_save", "post_save", "pre_add", "post_add"]
    assert lab.get("save_book_without_authors").facts["authors"] == []
    then = lab.get("save_authors")
    assert then.facts["m2m_changed"] == [("pre_add", {1, 2}), ("post_add", {1, 2})]
    assert then.facts["authors"] == [1, 2]
    assert lab.headline_text.startswith("post_save saw 0 authors; the 2 ticked arrived afterwards")
    assert registry.get("signals.modelform-order").predictions[0].answer(lab) == "none"


def test_a_modelform_with_one_author_sends_post_add_with_that_author_only(run_demo):
    lab = run_demo("signals.modelform-order", authors=[3])
    assert lab.get("save_book_without_authors").facts["authors"] == []
    assert lab.get("save_authors").facts["m2m_changed"] == [("pre_add", {3}), ("post_add", {3})]
