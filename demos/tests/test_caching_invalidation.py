"""Fragment caching, invalidation and stampede demos: the facts the lessons state, read from the lab report."""

import pytest

from lab.signals import receiver_name
from sandbox.receivers.caching import evict_bestsellers


@pytest.fixture
def fragment(run_demo):
    return run_demo("caching.fragment")


def test_a_fragment_is_reused_for_the_same_user_and_rendered_for_another(fragment):
    ann = fragment.get("ann: a miss")
    again = fragment.get("ann again: a hit")
    bob = fragment.get("bob: his own fragment")
    assert ann.facts["queries"] == 1 and again.facts["queries"] == 0
    assert again.facts["stamp"] == ann.facts["stamp"]
    assert bob.facts["stamp"] != ann.facts["stamp"]


def test_make_template_fragment_key_finds_the_fragment_and_delete_removes_it(fragment):
    step = fragment.get("Delete ann's fragment by its key")
    assert step.facts["key"].startswith("template.cache.sidebar.")
    assert step.facts["in the cache before delete"] is True
    assert step.facts["in the cache after delete"] is False
    after = fragment.get("ann after the delete: rendered again")
    assert after.facts["stamp"] != fragment.get("ann: a miss").facts["stamp"]
    assert after.facts["queries"] == 1


def test_vary_on_values_collide_when_their_str_is_equal(fragment):
    facts = fragment.get("vary_on values are compared as str()").facts
    assert facts["[None] and ['None'] share a key"] is True
    assert facts["['a:b'] and ['a', 'b'] share a key"] is True


def test_in_a_rolled_back_transaction_the_eviction_never_runs(run_demo):
    lab = run_demo("caching.invalidation")
    assert (
        lab.get("save() a book: post_save schedules the eviction").facts["still cached (on_commit waits for COMMIT)"]
        is True
    )
    ran = [e for e in lab.signals if e.kind == "receiver" and e.name.endswith("evict_bestsellers")]
    assert ran, "the receiver ran"
    assert not [e for e in lab.signals if e.kind == "on_commit"]


def test_update_leaves_the_widget_stale_until_it_is_deleted(run_demo):
    lab = run_demo("caching.invalidation")
    stale = lab.get("update() sends no signal: the widget is now stale").facts
    assert stale["cached price"] != stale["database price"]
    assert lab.get("Invalidate explicitly after update()").facts["cached price"] == stale["database price"]


def test_after_commit_the_receiver_evicts_the_widget(run_demo, transactional_db):
    from sandbox.models import Book

    lab = run_demo("caching.invalidation-commit")
    step = lab.get("save() inside atomic(), then COMMIT")
    assert step.facts["cached inside the block"] is True
    assert step.facts["cached after COMMIT"] is False
    evicted = [op for op in step.cache_ops if (op.op, op.key) == ("delete", "bestsellers")]
    assert evicted  # the on_commit callback ran: its cache.delete() is in the report
    assert lab.get("update() after the widget is cached again").facts["cached after update()"] is True
    assert not Book.objects.filter(learner="0123456789abcdef").exists()


def test_switching_the_receiver_off_leaves_the_widget_cached_after_commit(run_demo, transactional_db):
    lab = run_demo("caching.invalidation-commit", receiver_off=True)
    assert [e.name for e in lab.signals if e.kind == "skipped"] == [receiver_name(evict_bestsellers)] * 3
    assert lab.get("save() inside atomic(), then COMMIT").facts["cached after COMMIT"] is True


def test_eight_concurrent_get_or_set_misses_compute_eight_times_and_the_add_lock_once(run_demo, transactional_db):
    lab = run_demo("caching.stampede", threads=8)
    assert lab.get("8 threads, get_or_set").facts["expensive() ran"] == 8
    assert lab.get("8 threads, add() lock").facts["expensive() ran"] == 1


def test_numbers_and_their_strings_share_a_fragment_key(fragment):
    assert fragment.get("vary_on values are compared as str()").facts["[1] and ['1'] share a key"] is True


def test_a_quoted_fragment_name_keeps_its_quotes_in_the_key(db):
    from django.core.cache import caches
    from django.core.cache.utils import make_template_fragment_key
    from django.template import Context, Template

    Template('{% load cache %}{% cache 60 "quoted" using="locmem" %}x{% endcache %}').render(Context())
    assert caches["locmem"].has_key(make_template_fragment_key('"quoted"'))
    assert not caches["locmem"].has_key(make_template_fragment_key("quoted"))


def test_a_thread_that_raises_is_reported_in_the_step_not_lost(run_demo, transactional_db, monkeypatch):
    from demos import caching_invalidation

    def refuse(*args, **kwargs):
        raise RuntimeError("the cache is down")

    monkeypatch.setattr(caching_invalidation, "get_or_compute_with_lock", refuse)
    step = run_demo("caching.stampede", threads=4).get("4 threads, add() lock")
    assert step.facts["threads that raised"] == 4
    assert step.log == ["A thread raised RuntimeError: the cache is down"]


@pytest.mark.postgres
def test_on_the_database_backend_the_add_lock_lets_one_thread_compute(run_demo, transactional_db):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks the cache table against concurrent writers")
    lab = run_demo("caching.stampede", backend="db", threads=8)
    assert lab.get("8 threads, get_or_set").facts["expensive() ran"] == 8
    step = lab.get("8 threads, add() lock")
    assert step.facts["expensive() ran"] == 1 and "threads that raised" not in step.facts
