"""Bad input to the signals demos: a 400 with a message in the card, never a 500 or a traceback."""

import pytest

from sandbox.models import Book

HTMX = {"HTTP_HX_REQUEST": "true"}
RECEIVER = "sandbox.receivers.books.log_book_saved"

BAD_INPUTS = [
    ("signals.dispatcher", {"book": "999999"}, "Select a valid choice"),
    ("signals.dispatcher", {"book": "A1"}, "Select a valid choice"),
    ("signals.dispatcher", {}, "This field is required"),
    ("signals.tracer", {"action": "drop-tables"}, "Select a valid choice"),
    ("signals.tracer", {"action": "lifecycle", "disabled_receivers": "os.system"}, "Select a valid choice"),
    ("signals.tracer", {"action": "x" * 100_000}, "Select a valid choice"),
    ("signals.review-stats", {"stars": "five"}, "Enter a whole number"),
    ("signals.review-stats", {"stars": "0"}, "greater than or equal to 1"),
    ("signals.review-stats", {"stars": "6"}, "less than or equal to 5"),
    ("signals.review-stats", {"stars": "9" * 30}, "less than or equal to 5"),
    ("signals.review-stats", {"stars": "9" * 5000}, "Enter a whole number"),  # past Python's int digit limit
    ("signals.review-stats", {"stars": "1e3"}, "Enter a whole number"),
    ("signals.m2m", {"relation": "groups"}, "Select a valid choice"),
    ("signals.modelform-order", {"authors": ["1", "999"]}, "Select a valid choice"),
    ("signals.modelform-order", {"authors": "ada"}, "is not a valid value"),
    ("signals.modelform-order", {}, "This field is required"),
    ("signals.order-placed", {"qty": "-1"}, "greater than or equal to 1"),
    ("signals.order-placed", {"qty": "2.5"}, "Enter a whole number"),
    ("signals.order-placed", {"qty": ""}, "This field is required"),
]


@pytest.mark.parametrize(
    ("slug", "data", "message"), BAD_INPUTS, ids=[f"{s}-{i}" for i, (s, *_) in enumerate(BAD_INPUTS)]
)
def test_bad_input_is_a_400_with_the_reason_in_the_card(client, seeded, slug, data, message):
    response = client.post(f"/demos/{slug}/run/", data, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some inputs need fixing" in html
    assert message in html
    assert "Traceback" not in html


def test_the_dispatcher_offers_only_canonical_books(seeded):
    from demos.signals import DispatcherForm

    mine = Book.objects.create(title="Mine", price=1, pages=1, rating=1, publisher_id=1, learner="0123456789abcdef")
    assert not DispatcherForm({"book": str(mine.pk)}).is_valid()


def test_a_switch_posted_to_a_demo_without_switches_is_ignored_not_an_error(client, seeded):
    response = client.post("/demos/signals.reliable/run/", {"disabled_receivers": "no.such.receiver"}, **HTMX)
    assert response.status_code == 200


def test_a_valid_switch_runs_with_that_receiver_off(client, seeded):
    response = client.post(
        "/demos/signals.tracer/run/", {"action": "lifecycle", "disabled_receivers": RECEIVER}, **HTMX
    )
    assert response.status_code == 200
    assert "switched off for your runs" in response.content.decode()


def test_the_book_and_author_choices_stay_canonical_with_the_large_seed(seeded):
    from demos.signals import DispatcherForm
    from demos.signals_m2m import ModelFormOrderForm
    from sandbox.seed import load_large

    load_large(2000)
    assert [pk for pk, _ in DispatcherForm().fields["book"].choices if pk] == [1, 2, 3, 4, 5]
    assert [pk for pk, _ in ModelFormOrderForm().fields["authors"].choices] == [1, 2, 3, 4]
