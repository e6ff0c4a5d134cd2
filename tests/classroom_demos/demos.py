"""Demos that only the classroom server tests run: a run that burns CPU, and runs that wait at a known point.

A waiting run writes a marker file once it has reached its point, then waits until the test
writes a release file (both in LAB_TEST_SIGNALS), or 30 seconds.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.db import transaction

from lab.registry import demo
from sandbox.models import Book, Publisher

SIGNALS = Path(os.environ.get("LAB_TEST_SIGNALS", "/nonexistent"))


def reached_then_wait(name: str) -> None:
    (SIGNALS / f"{name}.reached").write_text(str(os.getpid()))
    deadline = time.monotonic() + 30
    while not (SIGNALS / f"{name}.release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


class BurnForm(forms.Form):
    seconds = forms.FloatField(min_value=0.1, max_value=5, initial=1)


@demo("test.burn", title="Burn CPU", form=BurnForm, time_limit=10)
def burn(lab, data):
    with lab.section("Burn", key="burn"):
        end = time.perf_counter() + data["seconds"]
        while time.perf_counter() < end:
            sum(range(2000))  # pure Python: holds the interpreter lock like a heavy demo does
            lab.check_time()


@demo("test.wait", title="Wait for the test")
def wait(lab, data):
    with lab.section("Wait", key="wait"):
        reached_then_wait(f"wait-{lab.learner}")


@demo("test.hang-after-commit", title="Commit, then hang", commits=True, time_limit=40)
def hang_after_commit(lab, data):
    with lab.section("Commit a book with a cover", key="commit"):
        with transaction.atomic():
            publisher = Publisher.objects.create(name=f"Lab publisher {lab.learner}", learner=lab.learner)
            book = Book(title=f"Lab book {lab.learner}", price=Decimal(1), pages=1, rating=1, publisher=publisher)
            book.learner = lab.learner
            book.cover.save("cover.txt", ContentFile(b"a cover"), save=True)
        reached_then_wait(f"commit-{lab.learner}")
        Publisher.objects.filter(pk=publisher.pk).delete()
