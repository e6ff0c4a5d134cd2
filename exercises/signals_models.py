"""Signals exercises for model signals (S2) and m2m_changed (S3): a review count, a normalised email, an author count.

Each check runs with only the learner's receivers connected (signals_kit): the
bookshop's own update_review_stats would otherwise keep the count right for them.
"""

from functools import partial

from django.core.cache import cache
from django.utils import timezone

from lab.exercises import Fail, exercise
from sandbox.models import Author, Book, Customer, Publisher, Review

from .signals_kit import learner_receivers_only

# -- S2: a stored review count, through every path ---------------------------------------------------

count = exercise(
    "signals.review-count",
    title="A review count that stays right",
    lesson="signals/02-model-signals",
    prompt=(
        "The bookshop's own `update_review_stats` is switched off here. Write the receiver(s) that keep "
        "`Book.review_count` right whenever a review is created, edited or deleted, one at a time or through "
        "a queryset. Then write `import_reviews(reviews)`, which saves a list of new `Review` objects with "
        "**one** `bulk_create()` and leaves each affected book's `review_count` right: `bulk_create()` sends "
        "no signals, so it has to do the receiver's job itself."
    ),
    starter="""from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Book, Review


@receiver(post_save, sender=Review)
def count_reviews(sender, instance, created, **kwargs):
    if created:
        Book.objects.filter(pk=instance.book_id).update(review_count=F("review_count") + 1)


def import_reviews(reviews):
    return Review.objects.bulk_create(reviews)
""",
    solution="""from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sandbox.models import Book, Review


def recount(book_id):
    # Recount rather than add one: an edit or a delete cannot make it drift.
    Book.objects.filter(pk=book_id).update(review_count=Review.objects.filter(book_id=book_id).count())


@receiver([post_save, post_delete], sender=Review, dispatch_uid="exercise.count_reviews")
def count_reviews(sender, instance, **kwargs):
    recount(instance.book_id)


def import_reviews(reviews):
    created = Review.objects.bulk_create(reviews)  # no post_save: recount each book here
    for book_id in {review.book_id for review in created}:
        recount(book_id)
    return created
""",
    hints=(
        "Press Run and compare the stored count with the real one after each step.",
        "A delete sends `post_delete`, for each object, also from `QuerySet.delete()`: connect to it too.",
        "Recounting (`Review.objects.filter(book_id=...).count()`) is right after a create, an edit and a delete.",
        "`bulk_create()` returns the reviews; recount each of their books once.",
    ),
    mistakes={
        """from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sandbox.models import Book, Review


@receiver(post_save, sender=Review)
def added(sender, instance, **kwargs):
    Book.objects.filter(pk=instance.book_id).update(review_count=F("review_count") + 1)


@receiver(post_delete, sender=Review)
def removed(sender, instance, **kwargs):
    Book.objects.filter(pk=instance.book_id).update(review_count=F("review_count") - 1)


def import_reviews(reviews):
    return Review.objects.bulk_create(reviews)
""": "Editing a review changed review_count",
        """from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sandbox.models import Book, Review


@receiver([post_save, post_delete], sender=Review)
def count_reviews(sender, instance, **kwargs):
    count = Review.objects.filter(book_id=instance.book_id).count()
    Book.objects.filter(pk=instance.book_id).update(review_count=count)


def import_reviews(reviews):
    return Review.objects.bulk_create(reviews)
""": "bulk_create() sends no post_save",
        """from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sandbox.models import Book, Review


@receiver([post_save, post_delete], sender=Review)
def count_reviews(sender, instance, **kwargs):
    count = Review.objects.filter(book_id=instance.book_id).count()
    Book.objects.filter(pk=instance.book_id).update(review_count=count)


def import_reviews(reviews):
    for review in reviews:
        review.save()
    return reviews
""": "INSERT statements: import them with one bulk_create()",
    },
)


def book(title="A1"):
    return Book.objects.get(title=title, learner="")


def new_review(title="A1", stars=4):
    customer = Customer.objects.filter(learner="").order_by("pk").first()
    return Review(book=book(title), customer=customer, stars=stars, created=timezone.now())


def stored_and_real(title="A1"):
    found = book(title)
    return found.review_count, Review.objects.filter(book=found).count()


def expect_right(after, advice, title="A1"):
    stored, real = stored_and_real(title)
    if stored != real:
        raise Fail(f"After {after}, {title} says review_count={stored}; it has {real} reviews. {advice}")


@count.check("A new review is counted")
def counts_a_new_review(attempt):
    with learner_receivers_only():
        new_review().save()
    expect_right("Review.objects.create()", "Is your receiver connected to post_save for Review?")


@count.check("Editing a review changes nothing")
def edit_changes_nothing(attempt):
    with learner_receivers_only():
        review = Review.objects.filter(book=book()).first()
        before = book().review_count
        review.stars = 1
        review.save()
    stored, real = stored_and_real()
    if stored != real:
        raise Fail(
            f"Editing a review changed review_count from {before} to {stored} (A1 has {real} reviews): "
            "post_save also runs for an edit (created=False). Recount, or add one only when created."
        )


@count.check("A deleted review is no longer counted")
def uncounts_a_deleted_review(attempt):
    with learner_receivers_only():
        Review.objects.filter(book=book()).first().delete()
    expect_right("review.delete()", "A delete sends post_delete: connect your receiver to it too.")


@count.check("A queryset delete is no longer counted")
def uncounts_a_queryset_delete(attempt):
    with learner_receivers_only():
        Review.objects.filter(book=book()).delete()
    expect_right("Review.objects.filter(book=A1).delete()", "QuerySet.delete() sends post_delete for each review.")


@count.check("import_reviews(): one bulk_create(), and the counts right")
def imports_in_bulk(attempt):
    reviews = [new_review("A1"), new_review("A1"), new_review("B1")]
    with learner_receivers_only():
        _, sql = attempt.queries(partial(attempt.learner.import_reviews, reviews))
    inserts = [s for s in sql if s.lstrip().upper().startswith("INSERT")]
    if len(inserts) != 1:
        raise Fail(f"{len(inserts)} INSERT statements: import them with one bulk_create().")
    for title in ("A1", "B1"):
        expect_right("import_reviews()", "bulk_create() sends no post_save: recount the books yourself.", title)


@count.run
def show_count(lab, attempt):
    with learner_receivers_only():
        for label, fn in (
            ("Save a new review", new_review().save),
            ("Delete it again", lambda: Review.objects.filter(book=book()).order_by("-pk").first().delete()),
            ("import_reviews() of two", partial(attempt.learner.import_reviews, [new_review(), new_review()])),
        ):
            step = lab.step(label, fn)
            stored, real = stored_and_real()
            step.fact("stored", stored, "A1's review_count")
            step.fact("real", real, "A1's reviews")
    lab.headline(f"After the import A1 says {stored} reviews; it has {real}")


# -- S2: pre_save normalisation --------------------------------------------------------------------

tidy = exercise(
    "signals.tidy-email",
    title="Normalise before the write: pre_save",
    lesson="signals/02-model-signals",
    prompt=(
        "Customers type their email however they like. Write a receiver that makes every saved "
        "`Customer.email` stripped of spaces and in lower case, however the customer is saved: `create()`, "
        "or `save()` after a change. Only the stored value counts."
    ),
    starter="""from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(post_save, sender=Customer)
def tidy_email(sender, instance, **kwargs):
    instance.email = instance.email.strip().lower()
""",
    solution="""from django.db.models.signals import pre_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(pre_save, sender=Customer, dispatch_uid="exercise.tidy_email")
def tidy_email(sender, instance, **kwargs):
    # pre_save runs before the INSERT or UPDATE: what it sets is what is written.
    instance.email = instance.email.strip().lower()
""",
    hints=(
        "Press Run and compare the instance's email with the stored one.",
        "`post_save` runs after the row is written: changing the instance there changes nothing stored.",
        "`pre_save` runs just before the write.",
    ),
    mistakes={
        """from django.db.models.signals import pre_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(pre_save, sender=Customer)
def tidy_email(sender, instance, **kwargs):
    instance.email = instance.email.lower()
""": "strip() the spaces",
        """from django.db.models.signals import pre_save
from django.dispatch import receiver

from sandbox.models import Book


@receiver(pre_save, sender=Book)
def tidy_email(sender, instance, **kwargs):
    instance.email = instance.email.strip().lower()
""": "connected to pre_save for Customer",
    },
)

TYPED = "  Eve@Example.COM "


def expect_stored(customer, typed):
    stored = Customer.objects.get(pk=customer.pk).email
    want = typed.strip().lower()
    if stored == want:
        return
    if stored == typed and customer.email == want:
        raise Fail(
            f"Stored {stored!r}, though the instance says {customer.email!r}: post_save runs after the row is "
            "written, too late to change it; pre_save runs before."
        )
    if stored == typed:
        raise Fail(f"Stored {stored!r} unchanged: is a receiver connected to pre_save for Customer?")
    raise Fail(f"Stored {stored!r}, expected {want!r}: strip() the spaces and lower() the case.")


@tidy.check("create() stores it tidy")
def on_create(attempt):
    with learner_receivers_only():
        customer = Customer.objects.create(name="eve", email=TYPED)
    expect_stored(customer, TYPED)


@tidy.check("save() after a change stores it tidy")
def on_save(attempt):
    customer = Customer.objects.filter(learner="").first()
    customer.email = " ANN@Example.org"
    with learner_receivers_only():
        customer.save()
    expect_stored(customer, " ANN@Example.org")


@tidy.run
def show_tidy(lab, attempt):
    with learner_receivers_only():
        step = lab.step(
            "Customer.objects.create(email=TYPED)", partial(Customer.objects.create, name="eve", email=TYPED)
        )
    step.fact("instance", step.result.email, "the instance's email")
    step.fact("stored", Customer.objects.get(pk=step.result.pk).email, "the stored email")
    lab.headline(f"Typed {TYPED!r}, stored {step.facts['stored']!r}")


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
            step = lab.step(label, fn, expect=TypeError)
            step.fact("cached", attempt.learner.author_count(found), "author_count()")
            step.fact("real", found.authors.count(), "authors linked")
    lab.headline(f"After clear(): author_count() says {step.facts['cached']}, the book has {step.facts['real']}")
