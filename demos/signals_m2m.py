"""Signals track, S3: m2m_changed, its surprising cases, and the order a ModelForm writes in."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.db.models import Model

from lab.recorder import Recorder, Step
from lab.registry import Prediction, demo
from sandbox import seed
from sandbox.models import Author, Book, Store
from sandbox.teaching.signals_m2m import (
    add_links,
    add_then_clear,
    bulk_link,
    m2m_of,
    remove_from_other_side,
    remove_links,
    save_authors,
    save_book_form,
    save_book_without_authors,
    set_links,
)

from .signals import ReceiverSwitchesForm, answer, apply_switches, events, receiver_logs


def m2m_events(step: Step) -> list[tuple[str, Any]]:
    """(action, pk_set) for each m2m_changed sent during the step."""
    return [(e.details["action"], e.details["pk_set"]) for e in events(step, name="m2m_changed")]


class M2MForm(ReceiverSwitchesForm):
    relation = forms.ChoiceField(
        choices=[("authors", "A new book's authors (book.authors)"), ("stock", "A new store's stock (store.books)")],
        initial="authors",
    )
    field_order = ["relation", "disabled_receivers"]


def describe_add_again(step: Step) -> str:
    pairs = step.facts["m2m_changed"]
    if not pairs:
        return "Nothing"
    return "pre_add and post_add with an empty pk_set" if pairs[0][1] == set() else "pre_add and post_add with its pk"


@demo(
    "signals.m2m",
    title="m2m_changed: add, remove, set, clear",
    form=M2MForm,
    description="Each call on a many-to-many manager, and the pre_/post_ pair it sends (or does not).",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "add(one) when `one` is already linked: what does it send?",
            ("Nothing", "pre_add and post_add with an empty pk_set", "pre_add and post_add with its pk"),
            answer=answer("add_again", describe_add_again),
            explain="add() works out which links are missing before it sends pre_add; it sends the pair even for none.",
            see="#try-it",
        ),
    ),
)
def m2m(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    # Set-up (not a step, so not recorded): an owner with no links yet, so every pk_set below is exactly what we pass.
    if data["relation"] == "authors":
        owner: Model = Book.objects.create(
            title="M2M demo", price=Decimal("1.00"), pages=10, rating=3.0, publisher_id=1
        )
        one, two, three, four = Author.objects.filter(pk__in=[1, 2, 3, 4]).order_by("pk")
    else:
        owner = Store.objects.create(name="M2M demo")
        one, two, three, four = Book.objects.filter(pk__in=[1, 2, 3, 4]).order_by("pk")

    def run(label: str, fn, key: str = "") -> Step:
        with receiver_logs():
            step = lab.step(label, fn, key=key)
        step.fact("m2m_changed", m2m_events(step), "m2m_changed (action, pk_set)")
        step.fact("linked", sorted(m2m_of(owner).values_list("pk", flat=True)), "linked now")
        return step

    run("add() two", partial(add_links, owner, one, two))
    again = run("add() one that is already linked", partial(add_links, owner, one), key="add_again")
    same = run("set() to the same set", partial(set_links, owner, [one, two]))
    run("set() to a different set", partial(set_links, owner, [one, three]), key="set_different")
    run("remove() one that was never linked", partial(remove_links, owner, four))
    other = run("remove() from the other side", partial(remove_from_other_side, one, owner))
    first = events(other, name="m2m_changed")[0].details if events(other, name="m2m_changed") else {}
    other.fact(
        "instance_reverse_model",
        (first.get("instance"), first.get("reverse"), first.get("model")),
        "instance, reverse, model",
    )
    run("add() back, then clear()", partial(add_then_clear, owner, one, two))
    run("through.objects.bulk_create()", partial(bulk_link, owner, one))

    lab.headline(
        f"add() of a linked row still sent {len(again.facts['m2m_changed'])} m2m_changed "
        f"(pk_set={again.facts['m2m_changed'][0][1] if again.facts['m2m_changed'] else None!r}); "
        f"set() to the same set sent {len(same.facts['m2m_changed'])}",
        focus=again,
    )


# -- the ModelForm order -------------------------------------------------------------------


class OfferedAuthorsField(forms.ModelMultipleChoiceField):
    """Refuses a pk that is not offered before it reaches SQL.

    Django looks the ticked pks up with `pk__in`, and SQLite cannot bind an
    integer past 64 bits (OverflowError): a 500 where a 400 belongs.
    """

    def clean(self, value: Any) -> Any:
        offered = {pk for pk, *_ in seed.AUTHORS}
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: Django's own message says so
            if number not in offered:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super().clean(value)


class ModelFormOrderForm(ReceiverSwitchesForm):
    authors = OfferedAuthorsField(
        queryset=Author.objects.filter(pk__in=[pk for pk, *_ in seed.AUTHORS]).order_by("pk"),  # not the large seed's
        initial=[1, 2],
        widget=forms.CheckboxSelectMultiple,
        help_text="The authors ticked in the book form.",
    )
    field_order = ["authors", "disabled_receivers"]


@demo(
    "signals.modelform-order",
    title="A ModelForm saves the book first, the authors after",
    form=ModelFormOrderForm,
    description="What post_save can see after form.save(), and where the authors arrive.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "A post_save receiver reads book.authors right after form.save() saved a new book. How many does it see?",
            ("none", "the ticked ones"),
            answer=answer(
                "save_book_without_authors", lambda s: "none" if not s.facts["authors"] else "the ticked ones"
            ),
            explain="form.save() saves the book (post_save) first and writes the authors afterwards (save_m2m).",
            see="#the-modelform-order",
        ),
    ),
)
def modelform_order(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    posted = {"title": "Form Book", "price": "8.00", "pages": 100, "rating": 4, "publisher": 1}
    author_pks = [author.pk for author in data["authors"]]

    with receiver_logs():
        whole = lab.step("form.save()", partial(save_book_form, {**posted, "authors": author_pks}))
    whole.fact(
        "order", [e.name if e.name != "m2m_changed" else e.details["action"] for e in events(whole)], "signal order"
    )

    # form.save() is exactly these calls (django/forms/models.py, BaseModelForm.save).
    first = lab.step(
        "What post_save could see",
        partial(save_book_without_authors, {**posted, "title": "Form Book 2", "authors": author_pks}),
    )
    form, book = first.result
    first.fact("authors", list(book.authors.values_list("pk", flat=True)), "authors right after book.save()")
    then = lab.step("Then the authors", partial(save_authors, form))
    then.fact("m2m_changed", m2m_events(then), "m2m_changed (action, pk_set)")
    then.fact("authors", list(book.authors.order_by("pk").values_list("pk", flat=True)), "authors now")
    lab.headline(
        f"post_save saw {len(first.facts['authors'])} authors; the {len(then.facts['authors'])} ticked arrived "
        "afterwards, in m2m_changed post_add",
        focus=first,
    )
