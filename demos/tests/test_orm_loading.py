"""ORM lesson 6: loading related data, with the query counts CURRICULUM.md §5 asserts (5 canonical books)."""

import django
import pytest

COUNTS = {
    "naive": 6,
    "select_related": 1,
    "prefetch_publisher": 2,
    "authors_naive": 6,
    "authors_prefetch": 2,
    "prefetch_then_filter": 7,
    "prefetch_to_attr": 2,
    "only_then_deferred": 6,
    "values": 1,
}


@pytest.mark.parametrize(("strategy", "queries"), COUNTS.items())
def test_query_count_per_loading_strategy(run_demo, strategy, queries):
    lab = run_demo("orm.related-loading", strategy=strategy, compare_with="", trials=1)
    step = lab.get(strategy)  # each strategy's step has its choice's key
    assert step.facts["books"] == 5
    assert step.facts["queries"] == queries == len(step.queries)


def test_every_strategy_reads_the_same_publishers(run_demo):
    lab = run_demo("orm.related-loading", strategy="naive", compare_with="select_related", trials=2)
    assert lab.get("naive").tables[0].rows == lab.get("select_related").tables[0].rows
    assert [s.label for s in lab.get("timings").series] == ["naive", "select_related"]
    assert all(len(s.samples) == 2 for s in lab.get("timings").series)


def test_prefetch_to_attr_keeps_only_the_older_authors(run_demo):
    lab = run_demo("orm.related-loading", strategy="prefetch_to_attr", compare_with="prefetch_then_filter", trials=1)
    assert lab.get("prefetch_to_attr").tables[0].rows == lab.get("prefetch_then_filter").tables[0].rows
    assert dict(lab.get("prefetch_to_attr").tables[0].rows)["A1"] == ["Ada Adams"]


def test_the_large_seed_set_reports_how_many_books_it_ran_over(run_demo):
    from sandbox.seed import load_large

    load_large(2000)  # 50 books with pk >= 1000
    lab = run_demo(
        "orm.related-loading", strategy="naive", compare_with="select_related", books="large", limit=30, trials=1
    )
    assert lab.get("naive").facts["books"] == 30
    assert lab.get("naive").facts["queries"] == 31
    assert lab.get("select_related").facts["queries"] == 1
    assert lab.headline_text == "31 queries with naive → 1 with select_related, over 30 books"


def test_the_large_set_without_the_large_seed_says_so(run_demo):
    lab = run_demo("orm.related-loading", books="large", trials=1)
    assert lab.get("timings").facts["books"] == 0
    assert "seed --size" in lab.get("timings").log[0]


def test_iterator_after_prefetch_needs_a_chunk_size(run_demo):
    step = run_demo("orm.iterator", chunk_size="").get("iterate")
    assert step.error_type == "ValueError"
    assert step.error == "chunk_size must be provided when using QuerySet.iterator() after prefetch_related()."


def test_iterator_prefetches_once_per_chunk(run_demo):
    step = run_demo("orm.iterator", chunk_size="2").get("iterate")
    assert step.facts["books"] == 5
    assert step.facts["author_queries"] == 3
    assert step.facts["queries"] == 1 + 3
    assert step.facts["result_cache_filled"] is False


def test_iterator_with_a_large_chunk_prefetches_once(run_demo):
    step = run_demo("orm.iterator", chunk_size="100").get("iterate")
    assert step.facts["author_queries"] == 1


@pytest.mark.skipif(
    django.VERSION < (6, 1), reason="fetch modes are new in Django 6.1; on 5.2 the lesson has a version note"
)
def test_fetch_modes_on_django_6_1(seeded, django_assert_num_queries):
    from django.db.models import FETCH_PEERS, FETCH_RAISE  # noqa: I001 (6.1 only)
    from django.core.exceptions import FieldFetchBlocked

    from sandbox.models import Book

    with django_assert_num_queries(2):
        [b.publisher.name for b in Book.objects.fetch_mode(FETCH_PEERS)]
    with pytest.raises(FieldFetchBlocked):
        [b.publisher.name for b in Book.objects.fetch_mode(FETCH_RAISE)]


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


def test_the_headline_is_the_n_plus_one_against_its_fix(run_demo):
    lab = run_demo("orm.related-loading", strategy="naive", compare_with="select_related", trials=1)
    assert lab.headline_text == "6 queries with naive → 1 with select_related, over 5 books"
    assert lab.focus_key == "select_related"
    assert _grade(lab, "orm.related-loading", "6") == (True, "6")
    assert _grade(
        run_demo("orm.related-loading", strategy="prefetch_then_filter", compare_with="", trials=1),
        "orm.related-loading",
        "7",
    ) == (True, "7")


def test_each_strategy_step_shows_its_teaching_function(run_demo):
    step = run_demo("orm.related-loading", strategy="prefetch_to_attr", compare_with="", trials=1).get(
        "prefetch_to_attr"
    )
    assert step.code.startswith("def older_author_names_prefetched(books: QuerySet) -> list[tuple]:")
    assert step.call == "older_author_names_prefetched(<QuerySet of Book>)"


def test_the_iterator_prediction_and_headline_come_from_the_run(run_demo):
    lab = run_demo("orm.iterator", chunk_size="2")
    assert _grade(lab, "orm.iterator", "4") == (True, "4")
    assert lab.headline_text.startswith("chunk_size=2: 1 query for the books and 3 for their authors")
    lab = run_demo("orm.iterator", chunk_size="")
    assert _grade(lab, "orm.iterator", "an error") == (True, "an error")
    assert lab.headline_text == "iterator() after prefetch_related() without a chunk_size: ValueError"
