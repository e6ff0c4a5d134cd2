"""ORM lesson 2: F() and the lost update, Case/When in updates, Q objects from choices, multi-valued filters."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django import forms

from lab.registry import Prediction, demo
from sandbox.models import Book
from sandbox.queries_orm import books_with_price_band, publishers_chained, publishers_same_row
from sandbox.teaching.orm_expressions import (
    CONDITIONS,
    add_stock_with_f,
    books_matching,
    combined_condition,
    restock_in_python,
    restock_publisher,
    restock_sold_out,
    restock_with_f,
    rewrite_publisher_stock,
    save_again,
    top_up_low_stock,
)

from .orm_lab import LabForm, column, compare, measured, plural, query_step, sources

RESTOCKED_BOOK = 1  # A1, stock 10 in the canonical seed


class RestockForm(forms.Form):
    tabs = forms.IntegerField(min_value=2, max_value=5, initial=2, label="Browser tabs pressing Restock +1")


def _survived(lab) -> str:
    survived, tabs = measured(lab, "read_modify_save", "survived"), measured(lab, "read_modify_save", "tabs")
    return {tabs: "all of them", 1: "only one", 0: "none"}.get(survived, f"{survived} of {tabs}")


def _stock_facts(step, start: int, tabs: int) -> None:
    """Read back after the step (an observation, not part of the lesson's SQL)."""
    final = Book.objects.get(pk=RESTOCKED_BOOK).stock
    step.fact("tabs", tabs, "tabs")
    step.fact("stock_before", start, "stock before")
    step.fact("stock_after", final, "stock after")
    step.fact("survived", final - start, "restocks that survived")
    step.fact("lost", start + tabs - final, "restocks lost")


@demo(
    "orm.lost-update",
    title="Restock +1 from several tabs: read-modify-save vs F()",
    form=RestockForm,
    description=(
        "Every tab reads the book before any tab saves (the interleaving two real requests can produce). "
        "Read-modify-save loses updates; F() does not."
    ),
    reports=("sql",),
    predictions=(
        Prediction(
            "Each tab adds 1 to the stock. How many of those restocks survive read-modify-save?",
            ("all of them", "only one", "none"),
            answer=_survived,
            explain="Every tab read the same stock and wrote back that value + 1, so each save overwrote the last.",
            see="#the-lost-update",
        ),
    ),
)
def lost_update(lab, data):
    tabs = data["tabs"]
    start = Book.objects.get(pk=RESTOCKED_BOOK).stock
    naive = lab.step(
        f"{tabs} tabs, read-modify-save", partial(restock_in_python, RESTOCKED_BOOK, tabs), key="read_modify_save"
    )
    _stock_facts(naive, start, tabs)
    Book.objects.filter(pk=RESTOCKED_BOOK).update(stock=start)  # the same starting point for the F() run
    with_f = lab.step(f"{tabs} tabs, F() update", partial(restock_with_f, RESTOCKED_BOOK, tabs), key="f_update")
    with_f.fact("matched", with_f.result, "rows matched per update()")
    _stock_facts(with_f, start, tabs)
    for label, fn in (
        ("update() returns the number of rows matched", restock_publisher),
        ("An update() that changes nothing matches the same rows", rewrite_publisher_stock),
    ):
        step = lab.step(label, partial(fn, "A"))
        step.fact("returned", step.result, "update() returned")
    saved = lab.step("Assign F() to an instance and save()", partial(add_stock_with_f, "B1", 5))
    saved.fact("type_after_save", type(saved.result.stock).__name__, "type(book.stock) after save()")
    again = lab.step("save() it again", partial(save_again, saved.result))
    again.fact("stock_in_db", Book.objects.get(pk=saved.result.pk).stock, "stock in the database after two saves")
    lab.headline(
        f"Read-modify-save lost {naive.facts['lost']} of {tabs} restocks; F() lost {with_f.facts['lost']}",
        focus=naive,
    )


class BandForm(LabForm):
    premium_from = forms.DecimalField(
        min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("15"), label="Premium from (price)"
    )


def _stocks(step) -> None:
    step.table(["title", "stock"], Book.objects.order_by("title").values_list("title", "stock"))


@demo(
    "orm.case-when",
    title="Case/When: price bands, and updates that pick their rows",
    form=BandForm,
    description="The database computes the band for each row. In an UPDATE, filter() picks the rows to change and "
    "Case/When gives different rows different values.",
    reports=("sql",),
    predictions=(
        Prediction(
            "How many rows does Book.objects.filter(stock=0).update(stock=5) match on the seed?",
            ("0", "1", "5"),
            answer=lambda lab: str(measured(lab, "restock_sold_out", "matched")),
            explain="Only B1 is sold out. update() returns the rows its WHERE matched; without the filter it would "
            "rewrite all five.",
            see="#casewhen-conditions-that-produce-values",
        ),
    ),
)
def case_when(lab, data):
    query_step(
        lab,
        "Price bands",
        partial(books_with_price_band, data["premium_from"]),
        key="bands",
        columns=["title", "price", "band"],
        explain=data["explain"],
    )
    sold_out = lab.step("Restock only the sold-out books, in one UPDATE", partial(restock_sold_out, 5))
    sold_out.fact("matched", sold_out.result, "rows matched")
    _stocks(sold_out)
    top_up = lab.step("Top up low stock by how low it is: Case/When, one UPDATE", partial(top_up_low_stock, 5))
    top_up.fact("matched", top_up.result, "rows matched")
    _stocks(top_up)
    lab.headline(
        f"filter(stock=0).update() matched {plural(sold_out.facts['matched'], 'row')}; Case/When gave "
        f"{top_up.facts['matched']} rows different new values in one UPDATE",
        focus=sold_out,
    )


class DynamicQForm(LabForm):
    well_rated = forms.BooleanField(required=False, initial=True, label="rating ≥ 4")
    cheap = forms.BooleanField(required=False, initial=True, label="price < 10")
    from_a = forms.BooleanField(required=False, label="publisher A")
    connector = forms.ChoiceField(
        choices=[("and", "AND (&)"), ("or", "OR (|)"), ("xor", "XOR (^)")], initial="or", label="Join them with"
    )
    negate = forms.BooleanField(required=False, label="NOT the whole condition (~)")


@demo(
    "orm.dynamic-q",
    title="Composing Q objects from choices",
    form=DynamicQForm,
    description="Tick conditions and pick how to join them; the lab shows the Q you built, its SQL and the rows.",
    reports=("sql",),
)
def dynamic_q(lab, data):
    chosen = [name for name in CONDITIONS if data[name]]
    step = query_step(
        lab,
        "Your filter",
        partial(books_matching, chosen, data["connector"], data["negate"]),
        key="filter",
        code=sources(combined_condition, books_matching),
        columns=["title", "rating", "price"],
        explain=data["explain"],
    )
    condition = combined_condition(chosen, data["connector"], data["negate"])  # plain Python: no SQL
    step.fact("q", repr(condition), "the Q you built")
    lab.headline(f"{step.facts['rows']} of the 5 books match {condition!r}", focus=step)


@demo(
    "orm.multi-valued",
    title="One filter() or two, across a multi-valued relation",
    form=LabForm,
    description="Publishers with a book rated ≥ 4 and a book under 8: the same book, or any two books?",
    reports=("sql",),
    predictions=(
        Prediction(
            "Chained filter() calls: how many rows come back?",
            ("1", "2", "3"),
            answer=lambda lab: str(measured(lab, "chained", "rows")),
            explain="Each filter() call adds its own join, and B appears once per matching pair of books.",
            see="#one-filter-or-two-across-a-multi-valued-relation",
        ),
    ),
)
def multi_valued(lab, data):
    diff = compare(
        lab,
        "one filter()",
        publishers_same_row,
        "chained filter()",
        publishers_chained,
        key_a="one_filter",
        key_b="chained",
        key="diff",
        columns=["name"],
        explain=data["explain"],
    )
    one, chained = column(lab.get("one_filter"), "name"), column(lab.get("chained"), "name")
    lab.headline(f"One filter() gives {one}; chained filter() calls give {chained}", focus=diff)
