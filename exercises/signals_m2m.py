"""Signals exercise for m2m_changed (S3): a cached author count kept right through add, remove, clear and set."""

from functools import partial

from django.core.cache import cache
from django.db import transaction

from lab.exercises import Fail, exercise
from sandbox.models import Author, Book, Publisher

from .signals_kit import learner_receivers_only

# -- S3: m2m_changed keeping a cached count right ---------------------------------------------------

authors = exercise(
    "signals.author-count",
    title="A cached author count, through add, remove and clear",
    lesson="signals/03-m2m-changed",
    prompt=(
        "`author_count(book)` caches how many authors a book has. Write a receiver for `m2m_changed` on "
        "`Book.authors.through` so that the number it returns is right after every `add()`, `remove()`, "
        "`clear()` and `set()` on `book.authors`."
    ),
    starter="""from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from sandbox.models import Book


def author_count_key(book_pk):
    return f"author-count:{book_pk}"


def author_count(book):
    count = cache.get(author_count_key(book.pk))
    if count is None:
        count = book.authors.count()
        cache.set(author_count_key(book.pk), count)
    return count


@receiver(m2m_changed, sender=Book.authors.through)
def keep_author_count(sender, instance, action, pk_set, **kwargs):
    if action == "post_add":
        cache.set(author_count_key(instance.pk), author_count(instance) + len(pk_set))
""",
    solution="""from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from sandbox.models import Book


def author_count_key(book_pk):
    return f"author-count:{book_pk}"


def author_count(book):
    count = cache.get(author_count_key(book.pk))
    if count is None:
        count = book.authors.count()
        cache.set(author_count_key(book.pk), count)
    return count


@receiver(m2m_changed, sender=Book.authors.through, dispatch_uid="exercise.keep_author_count")
def keep_author_count(sender, instance, action, **kwargs):
    # After any change to the links, forget the number: the next read counts again.
    if action in ("post_add", "post_remove", "post_clear"):
        cache.delete(author_count_key(instance.pk))
""",
    hints=(
        "Press Run: which action leaves the cached number wrong?",
        "`remove()` sends `post_remove` and `clear()` sends `post_clear`, whose `pk_set` is `None`.",
        "The simplest right answer forgets the cached number after each change: `cache.delete(...)`.",
    ),
    mistakes={
        """from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from sandbox.models import Book


def author_count_key(book_pk):
    return f"author-count:{book_pk}"


def author_count(book):
    count = cache.get(author_count_key(book.pk))
    if count is None:
        count = book.authors.count()
        cache.set(author_count_key(book.pk), count)
    return count


@receiver(m2m_changed, sender=Book.authors.through)
def keep_author_count(sender, instance, action, pk_set, **kwargs):
    if action == "pre_add":
        cache.set(author_count_key(instance.pk), author_count(instance) + len(pk_set))
    elif action == "pre_remove":
        cache.set(author_count_key(instance.pk), author_count(instance) - len(pk_set))
    elif action == "pre_clear":
        cache.set(author_count_key(instance.pk), author_count(instance) - len(pk_set))
""": "clear() sends pk_set=None",
    },
)


def fresh_book():
    found = Book.objects.create(
        title="Exercise", price=1, pages=1, rating=1, publisher=Publisher.objects.filter(learner="").first()
    )
    cache.delete(f"author-count:{found.pk}")
    return found


def three_authors():
    return list(Author.objects.order_by("pk")[:3])


def expect_count(attempt, found, after):
    try:
        with learner_receivers_only():
            after_fn, label = after
            after_fn()
    except TypeError as exc:
        raise Fail(f"{label} raised TypeError ({exc}): clear() sends pk_set=None, not a set.") from None
    got, real = attempt.learner.author_count(found), found.authors.count()
    if got != real:
        raise Fail(f"After {label}, author_count() says {got}; the book has {real} authors.")


@authors.check("add() of two authors")
def after_add(attempt):
    found, (a1, a2, _) = fresh_book(), three_authors()
    attempt.learner.author_count(found)
    expect_count(attempt, found, (partial(found.authors.add, a1, a2), "add(a1, a2)"))


@authors.check("add() again, then remove()")
def after_remove(attempt):
    found, (a1, a2, _) = fresh_book(), three_authors()
    found.authors.add(a1, a2)
    attempt.learner.author_count(found)
    expect_count(attempt, found, (partial(found.authors.add, a1), "add(a1) of an author already linked"))
    expect_count(attempt, found, (partial(found.authors.remove, a1), "remove(a1)"))


@authors.check("clear() and set()")
def after_clear_and_set(attempt):
    found, (a1, a2, a3) = fresh_book(), three_authors()
    found.authors.add(a1, a2)
    attempt.learner.author_count(found)
    expect_count(attempt, found, (found.authors.clear, "clear()"))
    expect_count(attempt, found, (partial(found.authors.set, [a2, a3]), "set([a2, a3])"))


@authors.run
def show_authors(lab, attempt):
    found, (a1, a2, _) = fresh_book(), three_authors()
    with learner_receivers_only():
        for label, fn in (
            ("add(a1, a2)", partial(found.authors.add, a1, a2)),
            ("remove(a1)", partial(found.authors.remove, a1)),
            ("clear()", found.authors.clear),
        ):
            with transaction.atomic():  # a receiver that raises inside clear() spoils only its own savepoint
                step = lab.step(label, fn, expect=TypeError)
            step.fact("cached", attempt.learner.author_count(found), "author_count()")
            step.fact("real", found.authors.count(), "authors linked")
    lab.headline(f"After clear(): author_count() says {step.facts['cached']}, the book has {step.facts['real']}")
