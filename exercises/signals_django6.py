"""Signals exercises run on Django 5.2 and 6.1 side by side: what a version note says, measured.

One file for the track's version exercises (`signals.m2m-raw`, `signals.db-cascade`), as each track has one
`<track>_django6.py`: each exercise is its prompt, its checks and its Run, and the second needs its own two models.
"""

import json
from functools import partial

import django
from django.apps import AppConfig
from django.apps.registry import Apps
from django.core import serializers
from django.db import connection, models, transaction
from django.db.models.signals import post_delete

from lab.exercises import Fail, exercise
from sandbox.models import Author, Book, Publisher

from .signals_kit import learner_receivers_only

M2M_SENDS_RAW = django.VERSION >= (6, 1)  # Django 6.1: m2m_changed gets raw (True while a fixture loads)
HAS_DB_CASCADE = hasattr(models, "DB_CASCADE")  # Django 6.1: the database cascades, and sends no signal for it

# -- S3: m2m_changed and raw, on 5.2 and 6.1 ----------------------------------------------------------

_M2M_HEAD = """from django.core.mail import send_mail
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from sandbox.models import Book

"""

m2m_raw = exercise(
    "signals.m2m-raw",
    title="No email for a fixture's authors, on 5.2 and 6.1",
    lesson="signals/03-m2m-changed",
    prompt=(
        "`notify_new_authors` emails the editor when authors are added to a book: **one** email per `add()` "
        "that links someone new. Loading a fixture links authors too, and nobody should be emailed for "
        "that: Django 6.1 passes `raw=True` to `m2m_changed` while it loads one. Django 5.2 passes no `raw` at "
        "all, and the receiver must still work there. Press **Both, side by side** and compare the "
        "`raw` each version sends."
    ),
    starter=_M2M_HEAD
    + """
@receiver(m2m_changed, sender=Book.authors.through)
def notify_new_authors(sender, instance, action, pk_set, **kwargs):
    send_mail(f"New authors for {instance}", f"{action}: {pk_set}", None, ["editor@example.com"])
""",
    solution=_M2M_HEAD
    + """
@receiver(m2m_changed, sender=Book.authors.through, dispatch_uid="exercise.notify_new_authors")
def notify_new_authors(sender, instance, action, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if kwargs.get("raw", False):  # Django 6.1+: a fixture is loading; 5.2 sends no raw
        return
    send_mail(f"New authors for {instance}", f"Author pks {sorted(pk_set)}", None, ["editor@example.com"])
""",
    hints=(
        "add() sends pre_add and post_add: email on post_add only, and only if pk_set is not empty.",
        "Django 6.1 passes raw=True while a fixture loads; Django 5.2 passes no raw argument at all.",
        'A parameter `raw` fails on 5.2; read it with `kwargs.get("raw", False)`.',
    ),
    # On 6.1 ignoring raw is the mistake (the fixture's authors get an email); on 5.2 requiring it is (TypeError).
    mistakes={
        _M2M_HEAD
        + """
@receiver(m2m_changed, sender=Book.authors.through)
def notify_new_authors(sender, instance, action, pk_set, **kwargs):
    if action == "post_add" and pk_set:
        send_mail(f"New authors for {instance}", f"Author pks {sorted(pk_set)}", None, ["editor@example.com"])
""": "raw=True",
    }
    if M2M_SENDS_RAW
    else {
        _M2M_HEAD
        + """
@receiver(m2m_changed, sender=Book.authors.through)
def notify_new_authors(sender, instance, action, pk_set, raw, **kwargs):
    if action == "post_add" and pk_set and not raw:
        send_mail(f"New authors for {instance}", f"Author pks {sorted(pk_set)}", None, ["editor@example.com"])
""": "sends no raw argument",
    },
    versions=("5.2", "6.1"),
)


def _book():
    publisher = Publisher.objects.filter(learner="").first()
    return Book.objects.create(title="Exercise", price=1, pages=1, rating=1, publisher=publisher)


def _authors():
    return list(Author.objects.order_by("pk")[:2])


def fixture_text():
    """A fixture of one new book with two authors, as loaddata reads it."""
    fields = {
        "title": "From a fixture",
        "price": "5.00",
        "pages": 10,
        "rating": 4.0,
        "publisher": Publisher.objects.filter(learner="").first().pk,
        "authors": [author.pk for author in _authors()],
        "updated": "2025-11-01T09:00:00Z",
    }
    return json.dumps([{"model": "sandbox.book", "pk": None, "fields": fields}])


def load_fixture(text):
    """What loaddata does: save() each deserialized object (raw=True), then set() its many-to-many links."""
    objects = list(serializers.deserialize("json", text))
    for obj in objects:
        obj.save()
    return [obj.object for obj in objects]


def _emails(attempt, fn, label):
    """Run fn with only the learner's receivers; return how many emails it sent."""
    before = len(attempt.outbox())
    try:
        with learner_receivers_only(), transaction.atomic():
            fn()
    except TypeError as exc:
        if "raw" in str(exc):
            raise Fail(
                f"{label} raised TypeError ({exc}): Django {django.get_version()}'s m2m_changed sends no raw "
                'argument. Read it with kwargs.get("raw", False).'
            ) from None
        raise
    return len(attempt.outbox()) - before


@m2m_raw.check("add() of two new authors sends one email; add() of them again sends none")
def on_add(attempt):
    book, (a1, a2) = _book(), _authors()
    sent = _emails(attempt, partial(book.authors.add, a1, a2), "add(a1, a2)")
    if sent != 1:
        raise Fail(f"add(a1, a2) sent {sent} emails, expected 1: add() sends pre_add and post_add; email on one.")
    again = _emails(attempt, partial(book.authors.add, a1), "add(a1) again")
    if again:
        raise Fail(f"add(a1) of an author already linked sent {again} email(s): its pk_set is empty.")


@m2m_raw.check("Loading a fixture sends no email (Django 6.1 says raw=True)")
def on_fixture(attempt):
    sent = _emails(attempt, partial(load_fixture, fixture_text()), "Loading a fixture")
    book = Book.objects.get(title="From a fixture")
    if book.authors.count() != 2:
        raise Fail(f"The fixture's book has {book.authors.count()} authors, expected 2.")
    if M2M_SENDS_RAW and sent:
        raise Fail(
            f"Loading a fixture sent {sent} email(s): on Django {django.get_version()} m2m_changed said raw=True. "
            'Return early when kwargs.get("raw") is true.'
        )
    # On Django 5.2 m2m_changed has no raw: the receiver cannot tell a fixture's links from anyone's.


def _raw_seen(step):
    """The raw argument each m2m_changed in the step carried ("absent" where Django sent none)."""
    return [e.details.get("raw", "absent") for e in step.signals if e.kind == "signal" and e.name == "m2m_changed"]


@m2m_raw.run
def show_m2m_raw(lab, attempt):
    book, (a1, a2) = _book(), _authors()
    with learner_receivers_only():
        for label, fn, key in (
            ("book.authors.add(a1, a2)", partial(book.authors.add, a1, a2), "add"),
            ("Loading a fixture: a new book with two authors", partial(load_fixture, fixture_text()), "fixture"),
        ):
            before = len(attempt.outbox())
            with transaction.atomic():
                step = lab.step(label, fn, key=key, expect=TypeError)
            step.fact("raw", _raw_seen(step), "raw in each m2m_changed")
            step.fact("emails", len(attempt.outbox()) - before, "emails your receiver sent")
    raw = step.facts["raw"]
    said = "no raw argument" if set(raw) <= {"absent"} else f"raw={raw[-1]}"
    lab.headline(
        f"Django {django.get_version()}: a fixture's m2m_changed had {said}; "
        f"your receiver sent {step.facts['emails']} email(s) for it",
        focus=step,
    )


# -- S2: on_delete=DB_CASCADE sends no delete signals for the rows the database removes --------------------
#
# The bookshop's tables have no database-level cascade, and the browser's prebuilt database has no table for a
# DB_CASCADE foreign key. So two models of this exercise's own, in their own app registry (the project's models
# and checks never see them), get their tables from CREATE TABLE inside the attempt's rolled-back transaction.


class ShelfApp(AppConfig):
    """The app of these two models, in a registry of its own (as migrations' model states do it)."""

    def __init__(self):
        self.name = self.label = "exercise_shelves"
        self.apps = None
        self.models = {}

    def import_models(self):
        self.models = self.apps.all_models[self.label]


SHELF_APPS = Apps([ShelfApp()])  # its get_models() lists them: the delete Collector finds the reverse relation


class Shelf(models.Model):  # noqa: DJ008 (tables for this exercise only)
    name = models.CharField(max_length=50)

    class Meta:
        apps = SHELF_APPS
        app_label = "exercise_shelves"
        db_table = "exercise_shelf"


class Slot(models.Model):  # noqa: DJ008
    # Django 6.1: the database deletes a shelf's slots. Django 5.2 has no DB_CASCADE: Django's own CASCADE.
    shelf = models.ForeignKey(Shelf, on_delete=models.DB_CASCADE if HAS_DB_CASCADE else models.CASCADE)
    label = models.CharField(max_length=50)

    class Meta:
        apps = SHELF_APPS
        app_label = "exercise_shelves"
        db_table = "exercise_slot"


ON_DELETE = "DB_CASCADE" if HAS_DB_CASCADE else "CASCADE"

db_cascade = exercise(
    "signals.db-cascade",
    title="A post_delete for every slot, with or without DB_CASCADE",
    lesson="signals/02-model-signals",
    prompt=(
        "A `Shelf` has `Slot`s (`shelf.slot_set`). A `post_delete` receiver for `Slot` must run for **every** slot "
        "that goes. `Slot.shelf` is declared `on_delete=DB_CASCADE` on Django 6.1 (the database deletes the "
        "slots) and `on_delete=CASCADE` on 5.2, which has no `DB_CASCADE`. Write `remove_shelf(shelf)`: it "
        "deletes the shelf and its slots, and `post_delete` is sent for each slot on both versions. Press "
        "**Both, side by side** and compare the first step: the same `shelf.delete()` on each version."
    ),
    starter="""def remove_shelf(shelf):
    # Delete the shelf and its slots, so that post_delete is sent for every slot.
    pass
""",
    solution="""def remove_shelf(shelf):
    shelf.slot_set.all().delete()  # through the ORM: pre_delete and post_delete for each slot
    shelf.delete()
""",
    hints=(
        "`shelf.delete()` removes the slots too. Does it send their post_delete on both versions?",
        "With DB_CASCADE the database deletes the slots: Django never loads them, so it sends no signal for them.",
        "Delete the slots through the ORM first, `shelf.slot_set.all().delete()`, then the shelf.",
    ),
    # On 5.2 Django's CASCADE collects the slots and sends their signals: shelf.delete() alone is right there.
    mistakes={
        """def remove_shelf(shelf):
    shelf.delete()
""": "the database, which sends no signal",
    }
    if HAS_DB_CASCADE
    else {},
    versions=("5.2", "6.1"),
)


def shelf_tables():
    """Create the two tables in the current (rolled-back) transaction, unless they exist."""
    if Shelf._meta.db_table in connection.introspection.table_names():
        return
    editor = connection.schema_editor()
    editor.deferred_sql = []  # table_sql() may queue index statements here; these tables need none
    with connection.cursor() as cursor:
        for model in (Shelf, Slot):
            sql, params = editor.table_sql(model)
            cursor.execute(sql, params)


def shelf_with_slots(count=2):
    shelf_tables()
    shelf = Shelf.objects.create(name="Crime")
    Slot.objects.bulk_create([Slot(shelf=shelf, label=f"C{n}") for n in range(1, count + 1)])
    return shelf


def deleted_senders(fn):
    """Call fn with only the learner's receivers and one that notes each post_delete; return the senders' names."""
    senders = []

    def note(sender, **kwargs):
        senders.append(sender.__name__)

    with learner_receivers_only():
        post_delete.connect(note, weak=False, dispatch_uid="exercise.note_deleted")  # dropped when the block ends
        fn()
    return senders


@db_cascade.check("The shelf and its slots are gone")
def gone(attempt):
    shelf = shelf_with_slots()
    deleted_senders(partial(attempt.learner.remove_shelf, shelf))
    shelves, slots = Shelf.objects.count(), Slot.objects.count()
    if shelves or slots:
        raise Fail(f"After remove_shelf(), {shelves} shelf and {slots} slots are left: delete them.")


@db_cascade.check("post_delete is sent for each slot and for the shelf")
def signalled(attempt):
    shelf = shelf_with_slots()
    senders = deleted_senders(partial(attempt.learner.remove_shelf, shelf))
    slots = senders.count("Slot")
    if slots != 2 and HAS_DB_CASCADE and not Slot.objects.exists():
        raise Fail(
            f"post_delete was sent for {slots} of the shelf's 2 slots: on Django {django.get_version()} Slot.shelf "
            f"is on_delete={ON_DELETE}, so shelf.delete() leaves the slots to the database, which sends no signal. "
            "Delete shelf.slot_set.all() first."
        )
    if slots != 2:
        raise Fail(f"post_delete was sent for {slots} of the shelf's 2 slots: delete the slots through the ORM.")
    if senders.count("Shelf") != 1:
        raise Fail(f"post_delete was sent {senders.count('Shelf')} times for the shelf, expected once.")


def delete_shelf(shelf):
    return shelf.delete()


def _post_deletes(step):
    return [e.sender for e in step.signals if e.kind == "signal" and e.name == "post_delete"]


@db_cascade.run
def show_db_cascade(lab, attempt):
    def note(sender, **kwargs):  # a receiver, so that Django sends the delete signals at all
        pass

    with learner_receivers_only():
        post_delete.connect(note, weak=False, dispatch_uid="exercise.note_deleted")
        steps = []
        for label, fn, key in (
            (f"shelf.delete(), Slot.shelf on_delete={ON_DELETE}", delete_shelf, "delete"),
            ("remove_shelf(shelf), your code", attempt.learner.remove_shelf, "yours"),
        ):
            step = lab.step(label, partial(fn, shelf_with_slots()), key=key)
            step.fact("post_delete", _post_deletes(step), "post_delete senders, in order")
            step.fact("slots_signalled", _post_deletes(step).count("Slot"), "slots with a post_delete (of 2)")
            step.fact("slots_left", Slot.objects.count(), "slots left")
            steps.append(step)
    builtin, yours = steps
    lab.headline(
        f"Django {django.get_version()}: shelf.delete() with on_delete={ON_DELETE} sent post_delete for "
        f"{builtin.facts['slots_signalled']} of 2 slots; your remove_shelf() for {yours.facts['slots_signalled']}",
        focus=builtin,
    )
