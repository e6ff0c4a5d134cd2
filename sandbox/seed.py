"""Deterministic seed data for the bookshop.

`load_canonical()` writes the small data set every lesson's numbers refer to
(CURRICULUM.md §1): publishers A, B, C; books A1, A2 (rated 4, 5), B1, B2
(rated 1, 4) and C1 (rated 1); A1 has two authors, sits in three stores and has
reviews with 5 and 3 stars. Primary keys are explicit so that `pk_set={1, 2}`
means the same authors on every machine.

`load_large(size)` adds a bigger, equally deterministic data set on top, for
lessons where timings only show with volume. It never touches canonical rows.
"""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from .models import Author, Book, Customer, Order, OrderItem, Publisher, Review, Store

SANDBOX_MODELS = [Review, OrderItem, Order, Customer, Store, Book, Author, Publisher]

PUBLISHERS = [(1, "A"), (2, "B"), (3, "C")]
AUTHORS = [(1, "Ada Adams", 52), (2, "Ben Brook", 38), (3, "Cleo Chen", 61), (4, "Dev Diaz", 29)]
# pk, title, price, pages, rating, stock, publisher pk, author pks
BOOKS = [
    (1, "A1", "12.50", 320, 4.0, 10, 1, [1, 2]),
    (2, "A2", "15.00", 410, 5.0, 3, 1, [3]),
    (3, "B1", "5.99", 150, 1.0, 0, 2, [2]),
    (4, "B2", "7.50", 220, 4.0, 7, 2, [3, 4]),
    (5, "C1", "20.00", 500, 1.0, 2, 3, [1]),
]
STORES = [(1, "Downtown", [1, 2, 4]), (2, "Harbour", [1, 3]), (3, "Airport", [1, 5])]
CUSTOMERS = [(1, "ann", "ann@example.com"), (2, "bob", "bob@example.com"), (3, "cat", "cat@example.com")]
# pk, customer, day of November 2025, status, discount %, items as (book pk, qty)
ORDERS = [
    (1, 1, 3, "paid", 10, [(1, 2), (5, 1)]),
    (2, 1, 9, "shipped", 0, [(2, 1)]),
    (3, 2, 14, "paid", 5, [(1, 1), (2, 1), (5, 1)]),
    (4, 3, 21, "new", 0, [(5, 3)]),
]
# pk, book pk, customer pk, stars, day of November 2025
REVIEWS = [(1, 1, 1, 5, 5), (2, 1, 2, 3, 16), (3, 3, 3, 2, 18)]

CANONICAL_NOW = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)


def _day(day: int) -> datetime:
    return CANONICAL_NOW + timedelta(days=day - 1)


def _reset_sequences() -> None:
    """After inserting explicit pks, make the database's own counters continue past them."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), SANDBOX_MODELS + [Book.authors.through, Store.books.through]
    )
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _wipe(min_pk: int = 0) -> None:
    """Delete sandbox rows with pk >= min_pk in plain SQL, children first.

    Seeding is data loading, not the shop at work: a QuerySet.delete() would
    collect every row of each model that has delete receivers (books, reviews)
    and send pre/post_delete for each, which takes seconds on the large seed.
    """
    links = [(Book.authors.through, "book_id"), (Store.books.through, "book_id")]
    with connection.cursor() as cursor:
        for model, column in links:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} >= %s", [min_pk])
        for model in SANDBOX_MODELS:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {model._meta.pk.column} >= %s", [min_pk])


@transaction.atomic
def load_canonical() -> dict[str, int]:
    """Replace every sandbox row with the canonical seed. Returns row counts."""
    _wipe()
    Publisher.objects.bulk_create([Publisher(pk=pk, name=name) for pk, name in PUBLISHERS])
    Author.objects.bulk_create([Author(pk=pk, name=name, age=age) for pk, name, age in AUTHORS])
    Book.objects.bulk_create(
        [
            Book(
                pk=pk,
                title=title,
                price=Decimal(price),
                pages=pages,
                rating=rating,
                stock=stock,
                publisher_id=publisher,
                blurb=f"{title} is a book from publisher {title[0]}.",
            )
            for pk, title, price, pages, rating, stock, publisher, _ in BOOKS
        ]
    )
    Book.authors.through.objects.bulk_create(
        [Book.authors.through(book_id=pk, author_id=author) for pk, *_, authors in BOOKS for author in authors]
    )
    Store.objects.bulk_create([Store(pk=pk, name=name) for pk, name, _ in STORES])
    Store.books.through.objects.bulk_create(
        [Store.books.through(store_id=pk, book_id=book) for pk, _, books in STORES for book in books]
    )
    Customer.objects.bulk_create([Customer(pk=pk, name=name, email=email) for pk, name, email in CUSTOMERS])
    prices = {pk: Decimal(price) for pk, _, price, *_ in BOOKS}
    orders, items = [], []
    item_pk = 1
    for pk, customer, day, status, discount, lines in ORDERS:
        total = sum(prices[book] * qty for book, qty in lines)
        discounted = (total * (100 - discount) / 100).quantize(Decimal("0.01"))
        orders.append(
            Order(
                pk=pk,
                customer_id=customer,
                created=_day(day),
                status=status,
                total_price=total,
                discounted_price=discounted,
            )
        )
        for book, qty in lines:
            items.append(OrderItem(pk=item_pk, order_id=pk, book_id=book, qty=qty, unit_price=prices[book]))
            item_pk += 1
    Order.objects.bulk_create(orders)
    OrderItem.objects.bulk_create(items)
    Review.objects.bulk_create(
        [
            Review(pk=pk, book_id=book, customer_id=customer, stars=stars, created=_day(day))
            for pk, book, customer, stars, day in REVIEWS
        ]
    )
    # Denormalised review stats, as the Review receivers would keep them.
    for pk, *_ in BOOKS:
        stars = [s for _, book, _, s, _ in REVIEWS if book == pk]
        Book.objects.filter(pk=pk).update(
            review_count=len(stars), review_average=(sum(stars) / len(stars)) if stars else None
        )
    _reset_sequences()
    return {model._meta.verbose_name_plural: model.objects.count() for model in SANDBOX_MODELS}


def load_large(size: int, progress: Callable[[int, int], None] | None = None, batch: int = 5000) -> dict[str, int]:
    """Add a large deterministic data set of `size` order items on top of the canonical seed.

    Everything is derived from a fixed random seed, so two machines get the same
    rows. Rows are written with bulk_create (no signals: this is data loading).
    """
    rng = random.Random(20251101)
    n_publishers = 20
    n_authors = max(10, size // 500)
    n_books = max(50, size // 100)
    n_customers = max(20, size // 50)
    n_orders = max(10, size // 5)
    n_reviews = max(10, size // 10)
    base = 1000  # pks below this belong to the canonical seed
    report = progress or (lambda done, total: None)
    total_steps = size + n_reviews
    with transaction.atomic():
        _wipe(min_pk=base)  # idempotent: replace an earlier large seed
        Publisher.objects.bulk_create(
            [Publisher(pk=base + i, name=f"Imprint {i:02d}") for i in range(n_publishers)], batch_size=batch
        )
        Author.objects.bulk_create(
            [Author(pk=base + i, name=f"Author {i:04d}", age=rng.randint(22, 85)) for i in range(n_authors)],
            batch_size=batch,
        )
        books = []
        for i in range(n_books):
            books.append(
                Book(
                    pk=base + i,
                    title=f"Volume {i:05d}",
                    price=Decimal(rng.randint(399, 4999)) / 100,
                    pages=rng.randint(80, 900),
                    rating=round(rng.uniform(1, 5), 1),
                    stock=rng.randint(0, 40),
                    publisher_id=base + rng.randrange(n_publishers),
                    blurb="Lorem ipsum " * rng.randint(5, 60),
                )
            )
        Book.objects.bulk_create(books, batch_size=batch)
        Book.authors.through.objects.bulk_create(
            [
                Book.authors.through(book_id=base + i, author_id=base + a)
                for i in range(n_books)
                for a in sorted(set(rng.sample(range(n_authors), rng.randint(1, 3))))
            ],
            batch_size=batch,
        )
        Store.objects.bulk_create([Store(pk=base + i, name=f"Branch {i:02d}") for i in range(10)])
        Store.books.through.objects.bulk_create(
            [
                Store.books.through(store_id=base + s, book_id=base + i)
                for i in range(n_books)
                for s in range(10)
                if rng.random() < 0.3
            ],
            batch_size=batch,
        )
        Customer.objects.bulk_create(
            [
                Customer(pk=base + i, name=f"reader{i:05d}", email=f"reader{i:05d}@example.com")
                for i in range(n_customers)
            ],
            batch_size=batch,
        )
        prices = {b.pk: b.price for b in books}
        start = datetime(2024, 1, 1, tzinfo=UTC)
        orders = [
            Order(
                pk=base + i,
                customer_id=base + rng.randrange(n_customers),
                created=start + timedelta(minutes=rng.randrange(60 * 24 * 700)),
                status=rng.choice(["new", "paid", "paid", "shipped", "cancelled"]),
            )
            for i in range(n_orders)
        ]
        # Items are generated first so that each order's total is known before it is written.
        totals = [Decimal(0)] * n_orders
        items: list[OrderItem] = []
        for i in range(size):
            order = i if i < n_orders else rng.randrange(n_orders)
            book = base + rng.randrange(n_books)
            qty = rng.randint(1, 4)
            totals[order] += prices[book] * qty
            items.append(OrderItem(pk=base + i, order_id=base + order, book_id=book, qty=qty, unit_price=prices[book]))
        for order, total in zip(orders, totals, strict=True):
            order.total_price = total
            order.discounted_price = (total * rng.choice([100, 100, 95, 90]) / 100).quantize(Decimal("0.01"))
        Order.objects.bulk_create(orders, batch_size=batch)
        for done in range(0, size, batch):
            OrderItem.objects.bulk_create(items[done : done + batch])
            report(min(done + batch, size), total_steps)
        reviews = [
            Review(
                pk=base + i,
                book_id=base + rng.randrange(n_books),
                customer_id=base + rng.randrange(n_customers),
                stars=rng.randint(1, 5),
                created=start + timedelta(minutes=rng.randrange(60 * 24 * 700)),
            )
            for i in range(n_reviews)
        ]
        Review.objects.bulk_create(reviews, batch_size=batch)
        report(total_steps, total_steps)
        _reset_sequences()
    return {model._meta.verbose_name_plural: model.objects.count() for model in SANDBOX_MODELS}
