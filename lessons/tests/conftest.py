"""Fixture content for the lesson engine's tests: a small course in a temp folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import caches

from lessons import catalogue, views

from . import demo_fixture

TRACK = """---
title: {title}
summary: What the {name} track teaches.
order: {order}
---

The {name} track's introduction.
"""

LESSON = """---
title: {title}
summary: A lesson about {slug}.
objectives:
  - Understand {slug}
minutes: 10
---

## First section

Text for {slug}.

### A subsection

More text.
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fixture_demo() -> Iterator[None]:
    """lessonstest.count-books and its named query exist only during the lesson engine's tests."""
    from lab.testing import temporary_demo
    from sandbox import queries

    with temporary_demo("lessonstest.count-books", demo_fixture.count_books, **demo_fixture.DEMO_OPTIONS):
        queries.named_query("lessonstest.books-per-publisher")(demo_fixture.books_per_publisher)
        try:
            yield
        finally:
            queries.unregister("lessonstest.books-per-publisher")


@pytest.fixture(autouse=True)
def _fresh_lessons_cache() -> Iterator[None]:
    caches["lessons"].clear()
    catalogue.reset()
    views.forget_pages()
    yield
    caches["lessons"].clear()
    catalogue.reset()
    views.forget_pages()


@pytest.fixture
def content(tmp_path, settings) -> Callable[..., Path]:
    """A two-track course under tmp_path; returns a helper that writes more files into it."""
    root = tmp_path / "content"
    write(root / "orm" / "_track.md", TRACK.format(title="Advanced ORM", name="orm", order=2))
    write(root / "middleware" / "_track.md", TRACK.format(title="Middleware", name="middleware", order=1))
    write(root / "middleware" / "01-onion.md", LESSON.format(title="The onion", slug="onion"))
    write(root / "middleware" / "02-order.md", LESSON.format(title="Order matters", slug="order"))
    write(root / "orm" / "01-lazy.md", LESSON.format(title="Lazy querysets", slug="lazy"))
    settings.LAB_CONTENT_ROOT = root
    settings.LAB_CONTENT_DIRS = []

    def add(relative: str, text: str) -> Path:
        path = write(root / relative, text)
        catalogue.reset()
        return path

    add.root = root
    return add
