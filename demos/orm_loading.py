"""ORM lesson 6: loading related data: N+1, select_related, prefetch_related, Prefetch, only(), iterator()."""

from __future__ import annotations

from functools import partial

from django import forms
from django.db.models import QuerySet

from lab.registry import Prediction, demo
from sandbox.models import Book
from sandbox.teaching.orm_loading import (
    author_names,
    author_names_prefetched,
    author_names_streamed,
    older_author_names_filtered,
    older_author_names_prefetched,
    prices_after_only_title,
    publisher_names,
    publisher_names_as_values,
    publisher_names_prefetched,
    publisher_names_select_related,
    with_authors,
)

from .orm_lab import LabForm, measured, query_step

LARGE_FROM = 1000  # pks from here on belong to `manage.py seed --size N` (sandbox.seed.load_large)

# Each strategy reads the same thing for every book; only how the data is loaded changes.
STRATEGIES = {  # key -> (label, teaching function over the base queryset)
    "naive": ("publisher, naive loop (N+1)", publisher_names),
    "select_related": ("publisher, select_related", publisher_names_select_related),
    "prefetch_publisher": ("publisher, prefetch_related", publisher_names_prefetched),
    "authors_naive": ("authors, naive loop (N+1)", author_names),
    "authors_prefetch": ("authors, prefetch_related", author_names_prefetched),
    "prefetch_then_filter": ("authors, prefetch then .filter()", older_author_names_filtered),
    "prefetch_to_attr": ("authors, Prefetch(queryset=, to_attr=)", older_author_names_prefetched),
    "only_then_deferred": ("price after only('title')", prices_after_only_title),
    "values": ("values('title', 'publisher__name')", publisher_names_as_values),
}
CHOICES = [(key, label) for key, (label, _) in STRATEGIES.items()]


def book_set(which: str, limit: int) -> QuerySet:
    """The canonical five books, or the first `limit` books of the large seed."""
    if which == "large":
        return Book.objects.filter(pk__gte=LARGE_FROM).order_by("pk")[:limit]
    return Book.objects.filter(pk__lt=LARGE_FROM).order_by("pk")


def fresh(fn, books: QuerySet):
    """A timed trial: `books.all()` is a new queryset, so no result cache is reused between trials."""
    return fn(books.all())


class LoadingForm(LabForm):
    strategy = forms.ChoiceField(choices=CHOICES, initial="naive", label="Load with")
    compare_with = forms.ChoiceField(
        choices=[("", "(nothing)")] + CHOICES, initial="select_related", required=False, label="Compare with"
    )
    books = forms.ChoiceField(
        choices=[("canonical", "the 5 canonical books"), ("large", "books from the large seed")],
        initial="canonical",
        label="Run over",
    )
    limit = forms.IntegerField(min_value=1, max_value=2000, initial=200, label="How many large-seed books")
    trials = forms.IntegerField(min_value=1, max_value=20, initial=5, label="Timed trials")


@demo(
    "orm.related-loading",
    title="Loading related data: count the queries",
    form=LoadingForm,
    description="The same list read with different loading strategies. The first run of each is recorded; the timed trials run unrecorded.",
    reports=("sql", "timing"),
    shows=tuple(fn for _, fn in STRATEGIES.values()),
    predictions=(
        Prediction(
            "Over the 5 canonical books, how many queries does the “Load with” strategy send?",
            ("1", "2", "6", "7"),
            answer=lambda lab: str(lab.steps[0].facts.get("queries", "")) if lab.steps else "",
            explain="A naive loop sends 1 query for the books and 1 more per book (N+1); select_related joins "
            "(1); prefetch_related adds one IN (...) query per relation (2); a .filter() on a prefetched "
            "manager ignores the prefetch (7).",
            see="#the-n1-loop",
        ),
    ),
)
def related_loading(lab, data):
    books = book_set(data["books"], data["limit"])
    count = books.count()
    chosen = [data["strategy"]] + ([data["compare_with"]] if data["compare_with"] else [])
    steps = []
    for key in chosen:
        label, fn = STRATEGIES[key]
        step = query_step(
            lab, label, partial(fn, books.all()), key=key, columns=["title", "related"], explain=data["explain"]
        )
        step.fact("books", count, "books")
        steps.append(step)
    with lab.section("Timings", key="timings") as timings:
        timings.fact("books", count, "books in each run")
        if not count:
            timings.note("No books in this set: load the large seed with `manage.py seed --size 100000`.")
        for key in chosen:  # the short key fits the chart's label column
            lab.trials(timings, key, partial(fresh, STRATEGIES[key][1], books), data["trials"])
    first, last = steps[0], steps[-1]
    if last is not first:
        headline = (
            f"{first.facts['queries']} queries with {first.key} → {last.facts['queries']} with {last.key}, "
            f"over {count} books"
        )
    else:
        headline = f"{first.label}: {first.facts['queries']} queries over {count} books"
    lab.headline(headline, focus=last)


class IteratorForm(LabForm):
    chunk_size = forms.ChoiceField(
        choices=[("", "no chunk_size"), ("2", "2"), ("100", "100")], initial="2", required=False, label="chunk_size"
    )


def _iterated(lab) -> str:
    if measured(lab, "iterate", "error_type"):
        return "an error"
    return str(measured(lab, "iterate", "queries"))


@demo(
    "orm.iterator",
    title="iterator() after prefetch_related()",
    form=IteratorForm,
    description="iterator() streams rows without filling the result cache; with prefetch_related it prefetches one chunk at a time.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Iterating the 5 canonical books with your chunk_size: how many queries go out?",
            ("2", "4", "6", "an error"),
            answer=_iterated,
            explain="One query streams the books; each chunk of chunk_size books gets one prefetch query for its "
            "authors. Without a chunk_size, Django refuses.",
            see="#large-results-iterator",
        ),
    ),
)
def iterator_demo(lab, data):
    size = int(data["chunk_size"]) if data["chunk_size"] else None
    prefetch = lab.step("Add prefetch_related('authors')", partial(with_authors, book_set("canonical", 0)))
    qs = prefetch.result
    step = query_step(
        lab,
        "Iterate in chunks",
        partial(author_names_streamed, qs, size),
        key="iterate",
        columns=["title", "authors"],
        expect=ValueError,
        explain=data["explain"],
    )
    step.fact("books", step.facts["rows"], "books")
    step.fact(
        "author_queries", sum(1 for q in step.queries if "sandbox_author" in q.sql), "author queries (one per chunk)"
    )
    step.fact("result_cache_filled", qs._result_cache is not None, "result cache filled")
    if step.error:
        headline = f"iterator() after prefetch_related() without a chunk_size: {step.error_type}"
    else:
        headline = (
            f"chunk_size={size}: 1 query for the books and {step.facts['author_queries']} for their authors, "
            f"one per chunk; the result cache stays empty"
        )
    lab.headline(headline, focus=step)
