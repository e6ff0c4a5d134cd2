"""Signals track, S3: m2m_changed, its surprising cases, and the order a ModelForm writes in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Model

from lab.recorder import Recorder, Step, paused
from lab.registry import demo
from sandbox import seed
from sandbox.models import Author, Book, Store

from .signals import ReceiverSwitchesForm, apply_switches, events, receiver_logs


def m2m_events(step: Step) -> list[tuple[str, Any]]:
    """(action, pk_set) for each m2m_changed sent during the step."""
    return [(e.details["action"], e.details["pk_set"]) for e in events(step, name="m2m_changed")]


class M2MForm(ReceiverSwitchesForm):
    relation = forms.ChoiceField(
        choices=[("authors", "A new book's authors (book.authors)"), ("stock", "A new store's stock (store.books)")],
        initial="authors",
    )
    field_order = ["relation", "disabled_receivers"]


@demo(
    "signals.m2m",
    title="m2m_changed: add, remove, set, clear",
    form=M2MForm,
    description="Each call on a many-to-many manager, and the pre_/post_ pair it sends (or does not).",
    reports=("signals", "sql"),
)
def m2m(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    with paused():  # setup: an owner with no links yet, so every pk_set below is exactly what we pass
        if data["relation"] == "authors":
            owner: Model = Book.objects.create(
                title="M2M demo", price=Decimal("1.00"), pages=10, rating=3.0, publisher_id=1
            )
            manager, reverse_name = owner.authors, "book_set"
            one, two, three, four = Author.objects.filter(pk__in=[1, 2, 3, 4]).order_by("pk")
        else:
            owner = Store.objects.create(name="M2M demo")
            manager, reverse_name = owner.books, "store_set"
            one, two, three, four = Book.objects.filter(pk__in=[1, 2, 3, 4]).order_by("pk")
    name = "book.authors" if data["relation"] == "authors" else "store.books"

    def run(label: str, code: str, call) -> Step:
        with lab.step(label, code=code) as s, receiver_logs(lab):
            call()
            s.fact("m2m_changed (action, pk_set)", m2m_events(s))
            s.fact("linked now", sorted(manager.values_list("pk", flat=True)))
        return s

    run("add() two", f"{name}.add(one, two)", lambda: manager.add(one, two))
    run("add() one that is already linked", f"{name}.add(one)", lambda: manager.add(one))
    run("set() to the same set", f"{name}.set([one, two])", lambda: manager.set([one, two]))
    run("set() to a different set", f"{name}.set([one, three])", lambda: manager.set([one, three]))
    run("remove() one that was never linked", f"{name}.remove(four)", lambda: manager.remove(four))
    s = run(
        "remove() from the other side",
        f"one.{reverse_name}.remove(owner)",
        lambda: getattr(one, reverse_name).remove(owner),
    )
    first = events(s, name="m2m_changed")[0].details if events(s, name="m2m_changed") else {}
    s.fact("instance, reverse, model", (first.get("instance"), first.get("reverse"), first.get("model")))
    run(
        "add() back, then clear()",
        f"{name}.add(one, two)\n{name}.clear()",
        lambda: (manager.add(one, two), manager.clear()),
    )
    through = manager.through
    field = "book" if data["relation"] == "authors" else "store"
    run(
        "through.objects.bulk_create()",
        f"{name}.through.objects.bulk_create([...])",
        lambda: through.objects.bulk_create([through(**{field: owner}, **{manager.target_field_name: one})]),
    )


# -- the ModelForm order -------------------------------------------------------------------


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "price", "pages", "rating", "publisher", "authors"]


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
)
def modelform_order(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    posted = {"title": "Form Book", "price": "8.00", "pages": 100, "rating": 4, "publisher": 1}
    author_pks = [author.pk for author in data["authors"]]

    with lab.step("form.save()", code="form = BookForm(request.POST)\nbook = form.save()") as s, receiver_logs(lab):
        form = BookForm({**posted, "authors": author_pks})
        form.is_valid()
        form.save()
        order = [e.name if e.name != "m2m_changed" else e.details["action"] for e in events(s)]
        s.fact("signal order", order)

    # form.save() is exactly these two calls (django/forms/models.py, BaseModelForm.save).
    with lab.step("What post_save could see", code="book = form.save(commit=False)\nbook.save()") as s:
        form = BookForm({**posted, "title": "Form Book 2", "authors": author_pks})
        form.is_valid()
        book = form.save(commit=False)
        book.save()
        s.fact("authors right after book.save()", list(book.authors.values_list("pk", flat=True)))
    with lab.step("Then the authors", code="form.save_m2m()") as s:
        form.save_m2m()
        s.fact("m2m_changed (action, pk_set)", m2m_events(s))
        s.fact("authors now", list(book.authors.order_by("pk").values_list("pk", flat=True)))
