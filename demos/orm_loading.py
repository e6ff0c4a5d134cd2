"""ORM lesson 6: loading related data: N+1, select_related, prefetch_related, Prefetch, only(), iterator()."""

from __future__ import annotations

import time

from django import forms
from django.db.models import Prefetch, QuerySet

from lab.recorder import paused
from lab.registry import demo
from sandbox.models import Author, Book

from .orm_lab import MAX_ROWS, LabForm, explain_step

LARGE_FROM = 1000  # pks from here on belong to `manage.py seed --size N` (sandbox.seed.load_large)


# Each strategy reads the same thing for every book; only how the data is loaded changes.
# label -> (the code shown, a function from the base queryset to rows)
STRATEGIES = {
    "naive": (
        "[(b.title, b.publisher.name) for b in books]",
        lambda books: [(b.title, b.publisher.name) for b in books],
    ),
    "select_related": (
        '[(b.title, b.publisher.name) for b in books.select_related("publisher")]',
        lambda books: [(b.title, b.publisher.name) for b in books.select_related("publisher")],
    ),
    "prefetch_publisher": (
        '[(b.title, b.publisher.name) for b in books.prefetch_related("publisher")]',
        lambda books: [(b.title, b.publisher.name) for b in books.prefetch_related("publisher")],
    ),
    "authors_naive": (
        "[(b.title, [a.name for a in b.authors.all()]) for b in books]",
        lambda books: [(b.title, [a.name for a in b.authors.all()]) for b in books],
    ),
    "authors_prefetch": (
        '[(b.title, [a.name for a in b.authors.all()]) for b in books.prefetch_related("authors")]',
        lambda books: [(b.title, [a.name for a in b.authors.all()]) for b in books.prefetch_related("authors")],
    ),
    "prefetch_then_filter": (
        '# .filter() on the manager ignores the prefetched rows\n[(b.title, [a.name for a in b.authors.filter(age__gt=45)]) for b in books.prefetch_related("authors")]',
        lambda books: [
            (b.title, [a.name for a in b.authors.filter(age__gt=45)]) for b in books.prefetch_related("authors")
        ],
    ),
    "prefetch_to_attr": (
        'older = Prefetch("authors", queryset=Author.objects.filter(age__gt=45), to_attr="older")\n'
        "[(b.title, [a.name for a in b.older]) for b in books.prefetch_related(older)]",
        lambda books: [
            (b.title, [a.name for a in b.older])
            for b in books.prefetch_related(
                Prefetch("authors", queryset=Author.objects.filter(age__gt=45), to_attr="older")
            )
        ],
    ),
    "only_then_deferred": (
        '# price was deferred: reading it costs one query per book\n[(b.title, b.price) for b in books.only("title")]',
        lambda books: [(b.title, b.price) for b in books.only("title")],
    ),
    "values": (
        '[(row["title"], row["publisher__name"]) for row in books.values("title", "publisher__name")]',
        lambda books: [(row["title"], row["publisher__name"]) for row in books.values("title", "publisher__name")],
    ),
}
LABELS = {
    "naive": "publisher, naive loop (N+1)",
    "select_related": "publisher, select_related",
    "prefetch_publisher": "publisher, prefetch_related",
    "authors_naive": "authors, naive loop (N+1)",
    "authors_prefetch": "authors, prefetch_related",
    "prefetch_then_filter": "authors, prefetch then .filter()",
    "prefetch_to_attr": "authors, Prefetch(queryset=, to_attr=)",
    "only_then_deferred": "price after only('title')",
    "values": "values('title', 'publisher__name')",
}
CHOICES = [(key, LABELS[key]) for key in STRATEGIES]


def book_set(which: str, limit: int) -> QuerySet:
    """The canonical five books, or the first `limit` books of the large seed."""
    if which == "large":
        return Book.objects.filter(pk__gte=LARGE_FROM).order_by("pk")[:limit]
    return Book.objects.filter(pk__lt=LARGE_FROM).order_by("pk")


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
)
def related_loading(lab, data):
    books = book_set(data["books"], data["limit"])
    with paused():
        count = books.count()
    chosen = [data["strategy"]] + ([data["compare_with"]] if data["compare_with"] else [])
    series = []
    for key in chosen:
        code, load = STRATEGIES[key]
        with lab.step(LABELS[key], code=f"books = {_books_code(data)}\n{code}") as s:
            rows = load(books.all())
            s.fact("books", count)
            s.fact("queries", len(s.queries))
            s.fact("query time (ms)", round(s.query_ms, 3))
            s.table(["title", "related"], rows[:MAX_ROWS])
            if len(rows) > MAX_ROWS:
                s.note(f"Showing the first {MAX_ROWS} of {len(rows)} rows.")
        if data["explain"]:
            explain_step(s)
        series.append((key, _time(load, books, data["trials"], lab)))  # the short key fits the chart's label column
    with lab.step("Timings") as s:
        s.fact("books in each run", count)
        if not count:
            s.note("No books in this set: load the large seed with `manage.py seed --size 100000`.")
        for key, samples in series:
            s.timings(key, samples)


def _books_code(data) -> str:
    if data["books"] == "large":
        return f'Book.objects.filter(pk__gte={LARGE_FROM}).order_by("pk")[:{data["limit"]}]'
    return f'Book.objects.filter(pk__lt={LARGE_FROM}).order_by("pk")'


def _time(load, books: QuerySet, trials: int, lab) -> list[float]:
    samples = []
    with paused():  # timed without the recorder's own overhead
        for _ in range(trials):
            lab.check_time()
            started = time.perf_counter()
            load(books.all())  # .all(): a fresh queryset, so no result cache is reused
            samples.append((time.perf_counter() - started) * 1000)
    return samples


class IteratorForm(LabForm):
    chunk_size = forms.ChoiceField(
        choices=[("", "no chunk_size"), ("2", "2"), ("100", "100")], initial="2", required=False, label="chunk_size"
    )


@demo(
    "orm.iterator",
    title="iterator() after prefetch_related()",
    form=IteratorForm,
    description="iterator() streams rows without filling the result cache; with prefetch_related it prefetches one chunk at a time.",
    reports=("sql",),
)
def iterator_demo(lab, data):
    size = int(data["chunk_size"]) if data["chunk_size"] else None
    args = f"chunk_size={size}" if size else ""
    code = f'qs = Book.objects.filter(pk__lt={LARGE_FROM}).prefetch_related("authors").order_by("pk")\nfor b in qs.iterator({args}): ...'
    with lab.step("iterate", code=code, expect=ValueError) as s:
        qs = Book.objects.filter(pk__lt=LARGE_FROM).prefetch_related("authors").order_by("pk")
        rows = [(b.title, [a.name for a in b.authors.all()]) for b in qs.iterator(chunk_size=size)]
        s.fact("books", len(rows))
        s.fact("queries", len(s.queries))
        s.fact("author queries (one per chunk)", sum(1 for q in s.queries if "sandbox_author" in q.sql))
        s.fact("result cache filled", qs._result_cache is not None)
    if data["explain"]:
        explain_step(lab.get("iterate"))
