"""The canonical seed is deterministic and matches CURRICULUM.md §1; the large seed adds on top."""

from django.db.models import Count

from sandbox import seed
from sandbox.models import Book, OrderItem, Publisher


def test_canonical_seed_has_the_curriculum_shape(seeded):
    ratings = {p.name: sorted(p.book_set.values_list("rating", flat=True)) for p in Publisher.objects.all()}
    assert ratings == {"A": [4.0, 5.0], "B": [1.0, 4.0], "C": [1.0]}
    a1 = Book.objects.annotate(n=Count("authors", distinct=True)).get(title="A1")
    assert a1.n == 2
    assert a1.store_set.count() == 3
    assert sorted(a1.reviews.values_list("stars", flat=True)) == [3, 5]


def test_reseeding_gives_the_same_primary_keys(seeded):
    first = list(Book.objects.order_by("pk").values_list("pk", "title"))
    seed.load_canonical()
    assert (
        list(Book.objects.order_by("pk").values_list("pk", "title"))
        == first
        == [
            (1, "A1"),
            (2, "A2"),
            (3, "B1"),
            (4, "B2"),
            (5, "C1"),
        ]
    )


def test_large_seed_is_deterministic_and_leaves_canonical_rows_alone(seeded):
    seed.load_large(2000)
    first = list(OrderItem.objects.filter(pk__gte=1000).order_by("pk").values_list("book_id", "qty")[:50])
    seed.load_large(2000)
    assert list(OrderItem.objects.filter(pk__gte=1000).order_by("pk").values_list("book_id", "qty")[:50]) == first
    assert OrderItem.objects.filter(pk__gte=1000).count() == 2000
    assert Publisher.objects.filter(pk__lt=1000).count() == 3
    assert Book.objects.filter(pk__lt=1000).count() == 5
