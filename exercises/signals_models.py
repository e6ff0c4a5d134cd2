"""Signals exercises for model signals (S2): a review count through every path, a normalised email.

Each check runs with only the learner's receivers connected (signals_kit): the
bookshop's own update_review_stats would otherwise keep the count right for them.

Two exercises in one module, a little over 300 lines: most of it is the learner's code
(starter, solution, mistakes) as strings.
"""

from functools import partial

from django.utils import timezone

from lab.exercises import Fail, exercise
from sandbox.models import Book, Customer, Review

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
