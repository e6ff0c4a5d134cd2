"""The sweeper removes what crashed runs left behind, and nothing else (lab.sweeper, manage.py sweep_sandbox).

The worker-kill test (a real gunicorn worker SIGKILLed right after its demo committed) is in
tests/test_classroom_server.py.
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from lab import limits, sweeper
from sandbox.models import Book, Customer, Order, Publisher

from .test_isolation import leftover_learner_rows, snapshot

LEFT, RUNNING = "1111111111111111", "2222222222222222"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    limits.store.reset()
    return tmp_path


def leave_rows(learner: str) -> None:
    """What a committing demo killed before its clean-up would have left, had it written to the real tables."""
    publisher = Publisher.objects.create(name=f"Lab publisher {learner}", learner=learner)
    Book.objects.create(title=f"Lab book {learner}", price=1, pages=1, rating=1, publisher=publisher, learner=learner)
    customer = Customer.objects.create(name="Left", email=f"left@{learner}.example", learner=learner)
    Order.objects.create(customer=customer, created="2024-01-01T00:00Z", learner=learner)


def cover_folder(media, name: str, age: float = 0) -> os.PathLike:
    folder = media / "covers" / name
    folder.mkdir(parents=True)
    (folder / "cover.txt").write_text("a cover")
    then = time.time() - age
    for path in (folder / "cover.txt", folder):
        os.utime(path, (then, then))
    return folder


def test_stale_learner_rows_are_swept_and_the_canonical_rows_stay(seeded, media):
    before = snapshot()
    leave_rows(LEFT)
    swept = sweeper.sweep()
    assert swept.learners == {LEFT} and swept.rows == 4
    assert leftover_learner_rows() == {}
    assert snapshot() == before


def test_a_learner_whose_run_is_going_is_left_alone(seeded, media):
    leave_rows(RUNNING)
    cover_folder(media, RUNNING, age=3600)
    with limits.one_run_at_a_time(RUNNING, 10):
        swept = sweeper.sweep()
    assert swept.learners == set()
    assert leftover_learner_rows() != {}
    assert (media / "covers" / RUNNING).exists()


def test_cover_folders_are_swept_when_stale_and_only_learner_folders(seeded, media):
    stale = cover_folder(media, LEFT, age=600)
    fresh = cover_folder(media, "3333333333333333", age=5)
    canonical = cover_folder(media, "canonical", age=6000)
    odd = cover_folder(media, "not-a-learner", age=6000)
    empty = media / "covers" / "4444444444444444"
    empty.mkdir()
    os.utime(empty, (time.time() - 600, time.time() - 600))
    (media / "covers" / "5555555555555555").symlink_to(canonical)
    swept = sweeper.sweep(min_age=120)
    assert sorted(swept.folders) == [LEFT, "4444444444444444"]
    assert not stale.exists() and not empty.exists()
    assert fresh.exists() and canonical.exists() and odd.exists() and (canonical / "cover.txt").exists()


def test_a_dry_run_removes_nothing(seeded, media):
    leave_rows(LEFT)
    cover_folder(media, LEFT, age=600)
    swept = sweeper.sweep(dry_run=True)
    assert swept.learners == {LEFT} and swept.folders == [LEFT]
    assert leftover_learner_rows() and (media / "covers" / LEFT).exists()


def test_the_command_sweeps_and_says_what_it_removed(seeded, media):
    leave_rows(LEFT)
    cover_folder(media, LEFT)
    out = StringIO()
    call_command("sweep_sandbox", "--min-age", "0", stdout=out)
    assert out.getvalue().strip() == "Removed 4 row(s) of 1 learner(s) and 1 cover folder(s)."
    assert leftover_learner_rows() == {} and not (media / "covers" / LEFT).exists()


def test_runs_sweep_at_most_once_per_interval_on_each_machine(seeded, media, settings, client):
    settings.LAB_RATE_LIMIT = 0
    settings.LAB_SWEEP_INTERVAL = 300
    leave_rows(LEFT)
    assert client.post("/demos/orm.explain-index/run/", HTTP_HX_REQUEST="true").status_code == 200
    assert leftover_learner_rows() == {}  # the first run swept
    leave_rows(LEFT)
    assert client.post("/demos/orm.explain-index/run/", HTTP_HX_REQUEST="true").status_code == 200
    assert leftover_learner_rows() != {}  # the second, within the interval, did not
    assert sweeper.maybe_sweep() is None
