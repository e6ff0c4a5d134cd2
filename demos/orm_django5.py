"""ORM lesson 9: what Django 5.0-5.2 added to the ORM, each feature run against the bookshop.

Writes (CartLine rows) happen in the run's rolled-back transaction. The async functions run the way
an async view runs them (lab.step drives an `async def` to completion).
"""

from __future__ import annotations

from functools import partial

import django
from django import forms
from django.db.models.expressions import DatabaseDefault

from lab.recorder import paused
from lab.registry import Prediction, demo
from sandbox.models import Book
from sandbox.teaching.orm_django5 import (
    add_to_cart,
    authors_then_title,
    change_quantity,
    line_of_three,
    prefetch_authors_async,
    refresh_then_read_publisher,
    refresh_with_publisher,
    reload,
    saved_line,
    titles_and_authors_async,
    unsaved_line,
)

from .orm_lab import measured, query_step


def db_default(lab):
    unsaved = lab.step("An unsaved CartLine", unsaved_line)
    unsaved.fact("qty", type(unsaved.result.qty).__name__, "unsaved line's qty is a")
    unsaved.fact("is_database_default", isinstance(unsaved.result.qty, DatabaseDefault), "a DatabaseDefault")
    saved = lab.step("CartLine.objects.create() without qty", saved_line)
    insert = saved.queries[0].sql
    saved.fact("qty", saved.result.qty, "saved line's qty")
    saved.fact("added_set", saved.result.added is not None, "added filled in by the database")
    saved.fact("returning", " RETURNING " in insert, "the INSERT reads the values back (RETURNING)")
    lab.headline(
        f"Before saving, qty is a {unsaved.facts['qty']}; after create() it is {saved.facts['qty']!r}, "
        "the database's value",
        focus=saved,
    )


def generated(lab):
    three = lab.step("create(price=10.00, qty=3)", line_of_three)
    three.fact("total", three.result.total, "total after create()")
    changed = lab.step("qty = 4, then save()", partial(change_quantity, three.result, 4))
    changed.fact("total", changed.result.total, "total on the instance after save()")
    changed.fact("update_sets_total", '"total" =' in changed.queries[0].sql, "the UPDATE writes total")
    reloaded = lab.step("refresh_from_db()", partial(reload, three.result))
    reloaded.fact("total", reloaded.result.total, "total after refresh_from_db()")
    stale = changed.facts["total"] != reloaded.facts["total"]
    lab.headline(
        f"total is {three.facts['total']} after create(); after qty=4 and save() the instance says "
        f"{changed.facts['total']} ({'stale until refresh_from_db()' if stale else 'read back by save()'}), "
        f"the database {reloaded.facts['total']}",
        focus=changed,
    )


def create_defaults(lab):
    first = lab.step("update_or_create(): the first call creates", partial(add_to_cart, "C1"), key="first")
    second = lab.step("update_or_create(): the second call updates", partial(add_to_cart, "C1"), key="second")
    for step in (first, second):
        line, created = step.result
        step.fact("created", created, "created")
        step.fact("price", line.price, "price")
        step.fact("qty", line.qty, "qty")
    lab.headline(
        f"Created with price {first.facts['price']} and qty {first.facts['qty']} (create_defaults); updated to "
        f"price {second.facts['price']}, qty still {second.facts['qty']} (defaults)",
        focus=second,
    )


def values_order(lab):
    step = query_step(lab, "values_list('n_authors', 'title')", authors_then_title, columns=["col1", "col2"])
    sql = step.queries[0].sql
    first = "n_authors" if sql.index('"n_authors"') < sql.index('"title"') else "title"
    step.fact("first_selected", first, "first column in the SELECT")
    step.fact("row", list(step.result[0]), "first row")
    lab.headline(f"values_list('n_authors', 'title'): the SELECT lists {first} first", focus=step)


def refresh(lab):
    with paused():
        plain_book, joined_book = Book.objects.get(title="A1"), Book.objects.get(title="A1")
    plain = lab.step("refresh_from_db(), then book.publisher", partial(refresh_then_read_publisher, plain_book))
    joined = lab.step("refresh_from_db(from_queryset=...select_related)", partial(refresh_with_publisher, joined_book))
    for step in (plain, joined):
        step.fact("queries", len(step.queries), "queries")
    lab.headline(
        f"Refresh, then read the publisher: {plain.facts['queries']} queries; refresh from a select_related "
        f"queryset: {joined.facts['queries']}",
        focus=joined,
    )


def async_orm(lab):
    iterated = lab.step("aiterator() after prefetch_related()", titles_and_authors_async)
    prefetched = lab.step("aprefetch_related_objects()", partial(prefetch_authors_async, ["A1", "B1"]))
    for step in (iterated, prefetched):
        step.fact("queries", len(step.queries), "queries")
        step.fact("rows", len(step.result), "books")
        step.table(["title", "authors"], [[title, ", ".join(names)] for title, names in step.result])
    lab.headline(
        f"{iterated.facts['rows']} books and their authors in {iterated.facts['queries']} queries with aiterator(); "
        f"aprefetch_related_objects() on a list: {prefetched.facts['queries']}",
        focus=iterated,
    )


FEATURES = {
    "db_default": ("db_default: a default the database fills in (5.0)", db_default),
    "generated": ("GeneratedField: a column the database computes (5.0)", generated),
    "create_defaults": ("update_or_create(create_defaults=) (5.0)", create_defaults),
    "values_order": ("values()/values_list() column order (5.2)", values_order),
    "refresh": ("refresh_from_db(from_queryset=) (5.1)", refresh),
    "async": ("aiterator() with prefetch_related(), aprefetch_related_objects() (5.0)", async_orm),
}


class Django5Form(forms.Form):
    feature = forms.ChoiceField(choices=[(k, label) for k, (label, _) in FEATURES.items()], initial="generated")


def _instance_total(lab) -> str:
    total = measured(lab, "change_quantity", "total", None)
    return "(choose GeneratedField to find out)" if total is None else str(total)


@demo(
    "orm.django5",
    title="New in Django 5: database defaults, generated columns, create_defaults and more",
    form=Django5Form,
    description=f"Each choice runs one feature on this site's Django ({django.get_version()}) and database.",
    reports=("sql",),
    shows=(unsaved_line, line_of_three, change_quantity, add_to_cart, authors_then_title, refresh_with_publisher),
    predictions=(
        Prediction(
            "A CartLine with price 10.00 and qty 3 is saved again with qty = 4. What does line.total say right "
            "after save()?",
            ("30.00", "40.00"),
            answer=_instance_total,
            explain="On Django 5.2 save() does not read generated columns back: the instance keeps the total it "
            "had until refresh_from_db(). Django 6.0 and later read them back with RETURNING.",
            see="#generatedfield",
        ),
    ),
)
def django5(lab, data):
    _, run = FEATURES[data["feature"]]
    run(lab)
