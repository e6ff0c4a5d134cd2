"""Demos never change canonical data, and committed rows never outlive their run.

Every demo runs with its defaults and with every choice of each of its choice
fields; afterwards every sandbox table (the M2M link tables too) must hold
exactly the canonical seed, and no row may carry a learner's id.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.utils import timezone

from lab import registry
from lab.runner import run_demo

LEARNER = "0123456789abcdef"


def snapshot() -> dict[str, list[str]]:
    """Every row of every sandbox table, every column, as repr (so 12.50 and 12.5 differ)."""
    tables = {}
    for model in apps.get_app_config("sandbox").get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        tables[model._meta.db_table] = [repr(row) for row in rows]
    return tables


def leftover_learner_rows() -> dict[str, int]:
    found = {}
    for model in apps.get_app_config("sandbox").get_models():
        if not model._meta.proxy and any(f.name == "learner" for f in model._meta.fields):
            count = model._base_manager.exclude(learner="").count()
            if count:
                found[model.__name__] = count
    return found


def runs(demo: registry.Demo) -> list[dict[str, Any]]:
    """The form's defaults, then the defaults with each choice of each plain choice field."""
    form = demo.form()
    base = demo.post_data()
    variants = [base]
    for name, field in form.fields.items():
        if type(field) is forms.ChoiceField:
            variants += [{**base, name: value} for value, _ in field.choices if value != base.get(name)]
    return variants


def cleaned(demo: registry.Demo, data: dict[str, Any]) -> dict[str, Any]:
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    form = demo.form(post)
    assert form.is_valid(), (demo.slug, data, form.errors.as_json())
    return form.cleaned_data


@pytest.fixture
def lab(seeded_tx, settings, tmp_path):
    settings.LAB_RATE_LIMIT = 0
    settings.MEDIA_ROOT = tmp_path


def test_every_demo_with_every_choice_leaves_the_canonical_seed_exactly_as_it_was(lab, tmp_path):
    before = snapshot()
    assert before["sandbox_book_authors"], "the M2M link tables are part of the snapshot"
    failed = []
    for demo in registry.all_demos():
        for data in runs(demo):
            recorder = run_demo(demo, cleaned(demo, data), learner=LEARNER)
            if "failed unexpectedly" in recorder.error:
                failed.append((demo.slug, data, recorder.error))
            assert leftover_learner_rows() == {}, (demo.slug, data)
    assert failed == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [], "uploaded covers are removed too"
    after = snapshot()
    for table in before:
        assert after[table] == before[table], f"{table} changed"


# -- committed demos that fail midway ---------------------------------------------------------------


def test_a_committed_demo_that_runs_out_of_time_after_its_commit_still_removes_its_rows(lab, monkeypatch):
    """The time limit strikes after the commit: the clean-up in `finally` must still run to the end."""
    from demos import signals_transactions
    from sandbox.models import Customer

    real_facts = signals_transactions.customer_facts

    def facts_then_time_out(step, email):
        real_facts(step, email)
        if email.startswith("fay@"):  # fay is committed: now run past the deadline
            assert Customer.objects.filter(email=email).exists()
            time.sleep(0.3)
            from lab.recorder import active

            active().check_time()

    monkeypatch.setattr(signals_transactions, "customer_facts", facts_then_time_out)
    demo = dataclasses.replace(registry.get("signals.on-commit"), time_limit=0.2)
    recorder = run_demo(demo, {}, learner=LEARNER)
    assert "time limit" in recorder.error
    assert leftover_learner_rows() == {}


def test_a_committed_demo_that_crashes_after_its_commit_still_removes_its_rows(lab, monkeypatch):
    from demos import signals_transactions

    real_facts = signals_transactions.customer_facts

    def facts_then_crash(step, email):
        real_facts(step, email)
        if email.startswith("fay@"):
            raise RuntimeError("a bug after the commit")

    monkeypatch.setattr(signals_transactions, "customer_facts", facts_then_crash)
    recorder = run_demo(registry.get("signals.on-commit"), {}, learner=LEARNER)
    assert "a bug after the commit" in recorder.error
    assert leftover_learner_rows() == {}


def test_reset_my_sandbox_removes_rows_a_demo_left_behind(lab, client, settings):
    from lab.learners import SESSION_KEY
    from sandbox.models import Book, Customer, Order, Publisher

    session = client.session
    session[SESSION_KEY] = LEARNER
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # signed cookies: the key is the data
    publisher = Publisher.objects.create(name="Left behind", learner=LEARNER)
    Book.objects.create(title="Left", price=1, pages=1, rating=1, publisher=publisher, learner=LEARNER)
    customer = Customer.objects.create(name="Left", email="left@x.example", learner=LEARNER)
    Order.objects.create(customer=customer, created=timezone.now(), learner=LEARNER)
    response = client.post("/demos/reset/", {"next": "/", "confirm": "yes"})
    assert response.status_code == 302
    assert leftover_learner_rows() == {}


def test_the_database_time_limit_stops_the_demo_but_never_its_clean_up(lab):
    """SQLite's progress handler interrupts a long query past the deadline, except under `paused()`."""
    from django.db import OperationalError, connection

    from lab.recorder import Recorder, paused, recording
    from lab.runner import database_time_limit

    if connection.vendor != "sqlite":
        pytest.skip("the progress handler is SQLite's; PostgreSQL uses statement_timeout")
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT count(*) FROM n"
    recorder = Recorder(learner=LEARNER, time_limit=0.001)
    time.sleep(0.01)
    with recording(recorder), database_time_limit(recorder), connection.cursor() as cursor:
        with paused():
            cursor.execute(slow)  # a clean-up statement: runs to the end
            assert cursor.fetchone() == (200000,)
        recorder.deadline = None  # let the statement through the recorder's own check, to reach the database's
        with pytest.raises(OperationalError):
            cursor.execute(slow)
