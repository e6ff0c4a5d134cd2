"""Signals track, S2: the model lifecycle signals in order, and the writes that send none."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms

from lab.recorder import Recorder, Step
from lab.registry import Prediction, demo
from sandbox.models import Book
from sandbox.teaching.signals import save_book
from sandbox.teaching.signals_lifecycle import (
    NEW_BOOK,
    bulk_create_books,
    create_and_save,
    create_book,
    create_cheap_book,
    delete_book,
    delete_publisher,
    delete_publishers_named,
    get_or_create_book,
    load_fixture,
    raise_prices,
    rename_book,
    restock_with_sql,
    set_stock,
    update_or_create_book,
)

from .signals import ReceiverSwitchesForm, answer, apply_switches, events, plural, receiver_logs, receivers_ran, sent

SAVE_SIGNALS = ("pre_save", "post_save")


def dots(title: str) -> str:
    """Spaces made visible, so a tidied title differs visibly from the one typed."""
    return title.replace(" ", "·")


def post_save_of(step: Step) -> dict[str, Any]:
    found = events(step, name="post_save")
    return found[0].details if found else {}


def save_facts(step: Step) -> None:
    step.fact("sent", sent(step), "signals sent")
    step.fact("created", post_save_of(step).get("created"), "created in post_save")
    step.fact("update_fields", post_save_of(step).get("update_fields"), "update_fields in post_save")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


def tally(senders: list[str]) -> str:
    """["Review", "Review", "Book"] -> "Review×2, Book×1", in the order they came."""
    return ", ".join(f"{name}×{n}" for name, n in Counter(senders).items())


def delete_facts(step: Step) -> str:
    """Facts for a publisher delete; returns the headline."""
    pre = [e.sender for e in events(step, name="pre_delete")]
    signalled = {e.sender for e in events(step)}
    total, per_model = step.result
    silent = sorted(label for label, n in per_model.items() if n and label.split(".")[-1] not in signalled)
    step.fact("deleted", step.result, "delete() returned")
    step.fact("pre_delete", pre, "pre_delete senders, in order")
    step.fact("silent", silent, "rows deleted without any signal")
    step.fact("origin", sorted({str(e.details.get("origin")) for e in events(step)}), "origin")
    step.fact("receivers", receivers_ran(step), "receivers that ran")
    return f"Deleting publisher A sent pre_delete for {tally(pre)}; {', '.join(silent)} rows went without a signal"


# -- the tracer -------------------------------------------------------------------------


class TracerForm(ReceiverSwitchesForm):
    action = forms.ChoiceField(
        choices=[
            ("lifecycle", "Create a book, save it, save one field, delete it"),
            ("shortcuts", "get_or_create() and update_or_create()"),
            ("delete-publisher", "Delete publisher A (cascades to books and reviews)"),
            ("queryset-delete", "Publisher.objects.filter(name='A').delete()"),
        ],
        initial="lifecycle",
    )
    field_order = ["action", "disabled_receivers"]


def lifecycle(lab: Recorder) -> None:
    create = lab.step("Create a book", partial(create_book, **NEW_BOOK))
    book = create.result
    create.fact("typed", dots(NEW_BOOK["title"]), "title as typed (· is a space)")
    create.fact("stored", dots(Book.objects.values_list("title", flat=True).get(pk=book.pk)), "stored title")
    save_facts(create)
    again = lab.step("Save it again", partial(save_book, book))
    save_facts(again)
    rename = lab.step("Save one field", partial(rename_book, book, "Signals"))
    save_facts(rename)
    delete = lab.step("Delete it", partial(delete_book, book))
    delete.fact("deleted", delete.result, "book.delete() returned")
    delete.fact("sent", sent(delete), "signals sent")
    lab.headline(
        f"created={create.facts['created']} on create(), created={again.facts['created']} on the next save(); "
        f"save(update_fields=['title']) sent update_fields={rename.facts['update_fields']!r}",
        focus=again,
    )


def shortcuts(lab: Recorder) -> None:
    fresh = {"price": Decimal("4.00"), "pages": 90, "rating": 2.0, "publisher_id": 2}
    got = lab.step("get_or_create(): the create path", partial(get_or_create_book, "Fresh", **fresh))
    got.fact("returned_created", got.result[1], "returned created")
    save_facts(got)

    a1 = Book.objects.get(title="A1", learner="")
    defaults = {"stock": 99, "price": a1.price}  # the price as it is: a default that changes nothing
    update = lab.step("update_or_create(): the update path", partial(update_or_create_book, "A1", **defaults))
    update.fact("returned_created", update.result[1], "returned created")
    save_facts(update)
    written = update.facts["update_fields"] or frozenset()
    changed = sorted(key for key, value in defaults.items() if getattr(a1, key) != value)
    update.fact("defaults", sorted(defaults), "keys in defaults")
    update.fact("changed", changed, "defaults that change a value")
    update.fact("added", sorted(written - set(defaults)), "added by update_or_create: fields with their own pre_save()")
    lab.headline(
        f"update_or_create() saved {plural(len(written), 'field')} ({', '.join(sorted(written))}) "
        f"for {plural(len(changed), 'changed value')}",
        focus=update,
    )


def publisher_delete(lab: Recorder) -> None:
    step = lab.step("Delete publisher A", partial(delete_publisher, "A"))
    lab.headline(delete_facts(step), focus=step)


def queryset_delete(lab: Recorder) -> None:
    step = lab.step("Delete through a queryset", partial(delete_publishers_named, "A"))
    lab.headline(delete_facts(step), focus=step)


ACTIONS = {
    "lifecycle": lifecycle,
    "shortcuts": shortcuts,
    "delete-publisher": publisher_delete,
    "queryset-delete": queryset_delete,
}


@demo(
    "signals.tracer",
    title="Signal tracer: every model signal, in order",
    form=TracerForm,
    description="Save and delete real sandbox rows and watch each signal, its sender and arguments, and the receivers.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "Create a book, then call save() on it again: what is `created` in the second post_save?",
            ("True", "False", "None"),
            answer=answer("save_book", lambda s: str(s.facts["created"])),
            explain="post_save gets created=True only when save() inserted the row; the second save() updates it.",
            see="#the-tracer",
        ),
        Prediction(
            "update_or_create(title='A1', defaults={'stock': 99, 'price': <A1's price>}): which fields does it save?",
            ("stock only", "stock and price", "stock, price and more"),
            answer=answer(
                "update_or_create_book",
                lambda s: {1: "stock only", 2: "stock and price"}.get(
                    len(s.facts["update_fields"]), "stock, price and more"
                ),
            ),
            explain="It saves every key in defaults, changed or not, plus each field with its own pre_save().",
            see="#the-tracer",
        ),
    ),
)
def tracer(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    with receiver_logs():
        ACTIONS[data["action"]](lab)


# -- what does not fire ------------------------------------------------------------------


def count_saves(step: Step, rows: int) -> None:
    step.fact("rows", rows, "rows written")
    step.fact("save_signals", len([e for e in events(step) if e.name in SAVE_SIGNALS]), "save signals sent")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


SILENT = ("set_stock", "bulk_create_books", "raise_prices", "restock_with_sql")


@demo(
    "signals.what-fires",
    title="What sends save signals, and what does not",
    description="Each way of writing rows, side by side: which send pre_save/post_save, and which run the Book receivers.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "Does QuerySet.update() send post_save?",
            ("Yes", "No"),
            answer=answer("set_stock", lambda s: "Yes" if s.facts["save_signals"] else "No"),
            explain="update() runs one UPDATE statement and never calls save(), where the save signals live.",
            see="#what-does-not-send-save-signals",
        ),
        Prediction(
            "You create a CheapBook (a proxy of Book). Do the receivers connected with sender=Book run?",
            ("Yes", "No"),
            answer=answer("create_cheap_book", lambda s: "Yes" if s.facts["receivers"] else "No"),
            explain="The sender is the class you saved, CheapBook; receivers for Book are not called for it.",
            see="#what-does-not-send-save-signals",
        ),
    ),
)
def what_fires(lab: Recorder, data: dict[str, Any]) -> None:
    a1 = Book.objects.get(title="A1", learner="")
    update = lab.step("QuerySet.update()", partial(set_stock, "A1", 0))
    count_saves(update, update.result)
    created = lab.step("bulk_create()", partial(bulk_create_books, 2, **NEW_BOOK))
    count_saves(created, len(created.result))
    bulk = lab.step("bulk_update()", partial(raise_prices, "B"))
    count_saves(bulk, bulk.result)
    raw = lab.step("Raw SQL", partial(restock_with_sql, a1.pk))
    count_saves(raw, raw.result)

    fixture = lab.step("Loading a fixture", load_fixture)
    count_saves(fixture, fixture.result)
    fixture.fact("raw", [e.details.get("raw") for e in events(fixture) if e.name in SAVE_SIGNALS], "raw in each")
    proxy = lab.step("Saving the CheapBook proxy", partial(create_cheap_book, **NEW_BOOK))
    count_saves(proxy, 1)
    proxy.fact("senders", sorted({e.sender for e in events(proxy) if e.name in SAVE_SIGNALS}), "sender of the signals")
    fires = lab.step("The calls that do fire: create() and save()", partial(create_and_save, **NEW_BOOK))
    count_saves(fires, 1)

    quiet = sum(lab.get(key).facts["save_signals"] for key in SILENT)
    lab.headline(
        f"update(), bulk_create(), bulk_update() and raw SQL sent {plural(quiet, 'save signal')}; "
        f"create() + save() sent {fires.facts['save_signals']}",
        focus=update,
    )
