"""The bookshop that every lesson experiments on.

Small on purpose: the canonical seed (sandbox.seed) gives the numbers that the
lessons and their tests assert. Rows a learner's demo commits for real carry the
learner's id in `learner`; canonical rows leave it blank.
"""

from django.db import models
from django.db.models import F
from django.db.models.functions import Now


class LearnerOwned(models.Model):
    """Rows a demo had to commit for real belong to one learner's sandbox."""

    learner = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)

    class Meta:
        abstract = True


class Publisher(LearnerOwned):
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    age = models.PositiveIntegerField()

    class Meta:
        # Deliberate: default ordering makes the GROUP BY and distinct() lessons visible.
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def cover_path(book: "Book", filename: str) -> str:
    owner = book.learner or "canonical"
    return f"covers/{owner}/{filename}"


class Book(LearnerOwned):
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    pages = models.PositiveIntegerField()
    rating = models.FloatField()
    stock = models.IntegerField(default=0)
    blurb = models.TextField(blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)
    authors = models.ManyToManyField(Author)
    cover = models.FileField(upload_to=cover_path, blank=True)
    # Kept current by receivers on Review (the signals track's "related updates" use case).
    review_count = models.PositiveIntegerField(default=0)
    review_average = models.FloatField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class CheapBook(Book):
    """A proxy: same table, different class. Signals name the class you saved."""

    class Meta:
        proxy = True


class Store(models.Model):
    name = models.CharField(max_length=100)
    books = models.ManyToManyField(Book)

    def __str__(self) -> str:
        return self.name


class Customer(LearnerOwned):
    name = models.CharField(max_length=100)
    email = models.EmailField()

    def __str__(self) -> str:
        return self.name


class Order(LearnerOwned):
    class Status(models.TextChoices):
        NEW = "new"
        PAID = "paid"
        SHIPPED = "shipped"
        CANCELLED = "cancelled"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    created = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    total_price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    discounted_price = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"Order #{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="order_items")
    qty = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.qty} × {self.book_id}"


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    stars = models.PositiveSmallIntegerField()
    created = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.stars}★ for {self.book_id}"


class ReviewTally(LearnerOwned):
    """A book's review count, kept apart for the locking lesson: two transactions at once add to it.

    Its own table, so the race runs on rows that no other lesson reads; each run makes its own row.
    """

    title = models.CharField(max_length=200)
    reviews = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.title}: {self.reviews} reviews"


class CartLine(LearnerOwned):
    """Django 5.0's field options: a default the database fills in, and a column the database computes."""

    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    qty = models.PositiveIntegerField(db_default=1)  # written by the database when an INSERT leaves it out
    added = models.DateTimeField(db_default=Now())
    total = models.GeneratedField(  # price × qty, computed and stored by the database on every write
        expression=F("price") * F("qty"),
        output_field=models.DecimalField(max_digits=10, decimal_places=2),
        db_persist=True,
    )

    def __str__(self) -> str:
        return f"{self.qty} × {self.title}"
