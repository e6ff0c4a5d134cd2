"""Signals exercises run on Django 5.2 and 6.1 side by side: what a version note says, measured."""

import json
from functools import partial

import django
from django.core import serializers
from django.db import transaction

from lab.exercises import Fail, exercise
from sandbox.models import Author, Book, Publisher

from .signals_kit import learner_receivers_only

M2M_SENDS_RAW = django.VERSION >= (6, 1)  # Django 6.1: m2m_changed gets raw (True while a fixture loads)

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
