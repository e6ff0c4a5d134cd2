"""Every version note in the course, checked on the version it describes and on the one this site runs.

Each test asserts both sides ("6.1 does X; 5.2 does not"), so it passes on Django 5.2 and on 6.1 for the
right reasons and never skips: `make test` runs it on both (the Django 6.1 leg). NOTES maps every line of
content that names a Django 6 version to the test that checks it; a new note without a test fails
test_every_version_note_has_a_test.
"""

import asyncio
import importlib
import importlib.metadata
import re
import sys
import threading
import warnings
from pathlib import Path

import django
import pytest
from asgiref.sync import async_to_sync
from django.core.cache.utils import make_template_fragment_key
from django.db import connection, models
from django.dispatch import Signal
from django.test.utils import isolate_apps

CONTENT = Path(__file__).resolve().parents[1] / "content"
AT_LEAST_6_0 = django.VERSION >= (6, 0)
AT_LEAST_6_1 = django.VERSION >= (6, 1)

# (lesson file, a phrase of the line) -> the test (here or beside its demo) that checks what the line says.
NOTES = {
    ("orm/07-raw-sql.md", 'note "In Django 6.1"'): "test_6_1_quotes_table_and_join_aliases",
    ("orm/02-f-and-q.md", "Django 6.1 quotes the alias too"): "test_6_1_quotes_table_and_join_aliases",
    ("orm/01-seeing-the-sql.md", 'note "In Django 6.1"'): "demos/tests/test_orm_sql.py::test_totally_ordered_*",
    ("orm/02-f-and-q.md", "In Django 6.0 and later"): "demos/tests/test_orm_expressions.py::test_f_on_an_instance_*",
    ("orm/02-f-and-q.md", "before Django 6.0"): "demos/tests/test_orm_expressions.py::test_f_on_an_instance_*",
    ("orm/03-aggregation.md", "Django 6.0 adds `AnyValue`"): "test_newer_aggregates",
    ("orm/06-loading-related-data.md", "fetch modes"): "demos/tests/test_orm_loading.py::test_fetch_modes_*",
    ("orm/06-loading-related-data.md", "adds `QuerySet.fetch_mode()`"): "test_fetch_mode_is_new_in_6_1",
    ("orm/06-loading-related-data.md", "deprecated in Django 6.1"): "test_select_related_without_arguments",
    ("middleware/06-sync-async.md", "Django 6 and Python 3.12"): "test_django_6_requires_python_3_12",
    ("middleware/06-sync-async.md", "Django 6 requires Python 3.12"): "test_django_6_requires_python_3_12",
    ("middleware/04-ordering.md", 'note "Django 6.0"'): "test_csp_middleware_is_new_in_6_0",
    ("middleware/04-ordering.md", "Django 6.0 adds"): "test_csp_middleware_is_new_in_6_0",
    ("middleware/04-ordering.md", "on 6.0 it belongs"): "test_csp_middleware_is_new_in_6_0",
    ("signals/03-m2m-changed.md", "`m2m_changed` also gets a `raw`"): "demos/tests/test_signals_lifecycle.py (raw)",
    ("signals/01-dispatcher.md", "Django 6.1 adds"): "demos/tests/test_signals_lifecycle.py (raw)",
    ("signals/06-custom-and-async.md", "awaits the sync group first"): "test_asend_ordering",
    # practice (issue 13): model answers to check-yourself questions that name a version.
    (
        "orm/02-f-and-q.md",
        "On Django 6.0 and later `save()` refreshes",
    ): "lessons/tests/test_check_yourself.py::test_orm_f_*",
    ("signals/06-custom-and-async.md", "and Django 6.1 changed"): "test_asend_ordering",
    ("signals/06-custom-and-async.md", "tasks framework"): "test_task_signals_are_new_in_6_0",
    ("signals/02-model-signals.md", "`on_delete=DB_CASCADE` lets"): "test_db_cascade_sends_no_delete_signals",
    ("signals/02-model-signals.md", "`DB_CASCADE` sends no delete"): "test_db_cascade_sends_no_delete_signals",
    ("caching/06-invalidation.md", "`on_delete=DB_CASCADE` deletes"): "test_db_cascade_sends_no_delete_signals",
    ("caching/05-fragments.md", "Version note: Django 6.1"): "test_6_1_netstring_encodes_varied_keys",
    ("caching/05-fragments.md", "changes how varied keys"): "test_6_1_netstring_encodes_varied_keys",
    ("caching/05-fragments.md", "Django 6.1 test run checks"): "test_6_1_netstring_encodes_varied_keys",
    (
        "orm/09-new-in-django-5.md",
        'note "In Django 6.0 and later"',
    ): "demos/tests/test_orm_django5.py::test_a_generated_*",
    (
        "orm/09-new-in-django-5.md",
        "Django 6.0 and later read generated",
    ): "demos/tests/test_orm_django5.py::test_a_generated_*",
    (
        "orm/09-new-in-django-5.md",
        "course's Django 6.1 test run",
    ): "demos/tests/test_orm_django5.py::test_a_generated_*",
    # Facts from the release notes, not behaviour code can show: which security fixes a release carries.
    ("caching/03-per-view.md", "6.0.x security releases"): "release notes (docs.djangoproject.com/en/6.0/releases/)",
    (
        "caching/03-per-view.md",
        "security fixes of the Django 6.0.5",
    ): "release notes (docs.djangoproject.com/en/6.0/releases/)",
    ("caching/04-site-wide.md", "Django 6.0.5"): "release notes (docs.djangoproject.com/en/6.0/releases/)",
}
VERSION_LINE = re.compile(r"Django 6\b|Django 6\.\d|\b6\.[01](\.x|\))")


def test_every_version_note_has_a_test():
    missing = []
    for path in sorted(CONTENT.rglob("*.md")):
        name = str(path.relative_to(CONTENT))
        phrases = [phrase for (file, phrase) in NOTES if file == name]
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if VERSION_LINE.search(line) and not any(p in line for p in phrases):
                missing.append(f"{name}:{number}: {line.strip()}")
    assert missing == [], "version notes without a test in NOTES:\n" + "\n".join(missing)


def test_every_noted_test_exists():
    here = sys.modules[__name__]
    for target in set(NOTES.values()):
        if target.startswith("test_"):
            assert callable(getattr(here, target, None)), target


@pytest.mark.django_db
def test_6_1_quotes_table_and_join_aliases():
    from sandbox.models import Book

    sql = str(Book.objects.filter(publisher__book__title="x").query)
    assert ('"T3"."title"' in sql) is AT_LEAST_6_1
    assert (' T3."title"' in sql) is not AT_LEAST_6_1


def test_newer_aggregates():
    assert all(hasattr(models, name) for name in ("AnyValue", "StringAgg")) is AT_LEAST_6_0
    assert all(hasattr(models, name) for name in ("BitAnd", "BitOr", "BitXor")) is AT_LEAST_6_1
    postgres = importlib.import_module("django.contrib.postgres.aggregates")
    assert all(hasattr(postgres, name) for name in ("StringAgg", "BitAnd", "BitOr", "BitXor"))


def test_fetch_mode_is_new_in_6_1():
    from sandbox.models import Book

    assert hasattr(Book.objects.all(), "fetch_mode") is AT_LEAST_6_1
    assert hasattr(models, "FETCH_PEERS") is AT_LEAST_6_1


def test_select_related_without_arguments():
    from sandbox.models import Book

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Book.objects.select_related()
    deprecations = [w for w in caught if "select_related() with no arguments is deprecated" in str(w.message)]
    assert bool(deprecations) is AT_LEAST_6_1


def test_django_6_requires_python_3_12():
    required = importlib.metadata.metadata("Django")["Requires-Python"]
    assert required == (">=3.12" if AT_LEAST_6_0 else ">=3.10")


def test_csp_middleware_is_new_in_6_0():
    try:
        csp = importlib.import_module("django.middleware.csp")
    except ImportError:
        assert not AT_LEAST_6_0
        return
    assert AT_LEAST_6_0
    assert hasattr(csp, "ContentSecurityPolicyMiddleware")
    from django.conf import global_settings

    assert hasattr(global_settings, "SECURE_CSP") and hasattr(global_settings, "SECURE_CSP_REPORT_ONLY")


def test_task_signals_are_new_in_6_0():
    try:
        tasks = importlib.import_module("django.tasks.signals")
    except ImportError:
        assert not AT_LEAST_6_0
        return
    assert AT_LEAST_6_0
    assert all(isinstance(getattr(tasks, n), Signal) for n in ("task_enqueued", "task_started", "task_finished"))


def test_asend_ordering():
    """5.2 gathers the sync group with the async receivers; 6.1 finishes the sync group before any async one."""
    signal = Signal()
    async_ran = threading.Event()
    seen = {}

    def sync_receiver(sender, **kwargs):
        # Under 5.2's gather the async receiver runs meanwhile; under 6.1 it has not started yet.
        seen["async_ran_meanwhile"] = async_ran.wait(timeout=2)

    async def async_receiver(sender, **kwargs):
        async_ran.set()
        await asyncio.sleep(0)

    signal.connect(sync_receiver, weak=False)
    signal.connect(async_receiver, weak=False)
    async_to_sync(signal.asend)(sender=None)
    assert seen["async_ran_meanwhile"] is not AT_LEAST_6_1


def test_6_1_netstring_encodes_varied_keys():
    collide = make_template_fragment_key("f", ["a:b"]) == make_template_fragment_key("f", ["a", "b"])
    assert collide is not AT_LEAST_6_1
    # Both versions still str() each value: None and "None" share a key.
    assert make_template_fragment_key("f", [None]) == make_template_fragment_key("f", ["None"])


@pytest.mark.django_db(transaction=True)
def test_db_cascade_sends_no_delete_signals():
    """6.1's on_delete=DB_CASCADE leaves the cascade to the database: no pre_delete/post_delete for those rows."""
    if not AT_LEAST_6_1:
        assert not hasattr(models, "DB_CASCADE")
        return
    from django.db.models.signals import post_delete, pre_delete

    with isolate_apps("sandbox"):

        class Shelf(models.Model):  # noqa: DJ008 (a table for this test only)
            class Meta:
                app_label = "sandbox"

        class Slot(models.Model):  # noqa: DJ008
            shelf = models.ForeignKey(Shelf, on_delete=models.DB_CASCADE)

            class Meta:
                app_label = "sandbox"

        with connection.schema_editor() as editor:
            editor.create_model(Shelf)
            editor.create_model(Slot)
        deleted = []

        def record(sender, **kwargs):
            deleted.append(sender.__name__)

        pre_delete.connect(record, weak=False)
        post_delete.connect(record, weak=False)
        try:
            shelf = Shelf.objects.create()
            Slot.objects.create(shelf=shelf)
            shelf.delete()
            assert deleted == ["Shelf", "Shelf"]  # the slot went with it, in the database, unannounced
            assert Slot.objects.count() == 0
        finally:
            pre_delete.disconnect(record)
            post_delete.disconnect(record)
            with connection.schema_editor() as editor:
                editor.delete_model(Slot)
                editor.delete_model(Shelf)
