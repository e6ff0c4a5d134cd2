"""Fragment caching, invalidation and stampede demos: the facts the lessons state, read from the lab report."""

import django
import pytest

from lab import registry
from lab.signals import receiver_name
from sandbox.receivers.caching import evict_bestsellers


@pytest.fixture
def fragment(run_demo):
    return run_demo("caching.fragment")


def test_a_fragment_is_reused_for_the_same_user_and_rendered_for_another(fragment):
    ann = fragment.get("ann_first")
    again = fragment.get("ann_again")
    bob = fragment.get("bob")
    assert ann.facts["queries"] == 1 and again.facts["queries"] == 0
    assert again.facts["stamp"] == ann.facts["stamp"]
    assert bob.facts["stamp"] != ann.facts["stamp"]


def test_make_template_fragment_key_finds_the_fragment_and_delete_removes_it(fragment):
    step = fragment.get("delete")
    assert step.facts["key"].startswith("template.cache.sidebar.")
    assert step.facts["cached_before"] is True
    assert step.facts["cached_after"] is False
    after = fragment.get("ann_after")
    assert after.facts["stamp"] != fragment.get("ann_first").facts["stamp"]
    assert after.facts["queries"] == 1


def test_vary_on_values_collide_when_their_str_is_equal(fragment):
    facts = fragment.get("collisions").facts
    assert facts["none"] is True and facts["int"] is True
    # 5.2 joins the values with ":", so a ":" inside a value collides; 6.1 netstring-encodes each value.
    assert facts["colon"] is (django.VERSION < (6, 1))


def test_in_a_rolled_back_transaction_the_eviction_never_runs(run_demo):
    lab = run_demo("caching.invalidation")
    assert lab.get("raise_price").facts["still_cached"] is True
    ran = [e for e in lab.signals if e.kind == "receiver" and e.name.endswith("evict_bestsellers")]
    assert ran, "the receiver ran"
    assert not [e for e in lab.signals if e.kind == "on_commit"]


def test_update_leaves_the_widget_stale_until_it_is_deleted(run_demo):
    lab = run_demo("caching.invalidation")
    stale = lab.get("after_update").facts
    assert stale["cached_price"] != stale["database_price"]
    assert lab.get("after_forget").facts["cached_price"] == stale["database_price"]
    assert not lab.get("update").signals  # update() sent no signal at all
    assert lab.headline_text == (
        f"After update() the widget still said {stale['cached_price']} while the database said "
        f"{stale['database_price']}; after delete(): {stale['database_price']}"
    )


def test_after_commit_the_receiver_evicts_the_widget(run_demo, transactional_db):
    from sandbox.models import Book

    lab = run_demo("caching.invalidation-commit")
    step = lab.get("commit")
    assert step.facts["cached_inside"] is True
    assert step.facts["cached_after_commit"] is False
    evicted = [op for op in step.cache_ops if (op.op, op.key) == ("delete", "bestsellers")]
    assert evicted  # the on_commit callback ran: its cache.delete() is in the report
    assert lab.get("update").facts["cached_after_update"] is True
    assert not Book.objects.filter(learner="0123456789abcdef").exists()
    (after_commit,) = registry.get("caching.invalidation-commit").predictions
    assert after_commit.grade(lab, "no") == (True, "no")


def test_switching_the_receiver_off_leaves_the_widget_cached_after_commit(run_demo, transactional_db):
    lab = run_demo("caching.invalidation-commit", receiver_off=True)
    # The one save() the report records: the book's creation and deletion are the demo's set-up and clean-up.
    assert [e.name for e in lab.signals if e.kind == "skipped"] == [receiver_name(evict_bestsellers)]
    assert lab.get("commit").facts["cached_after_commit"] is True
    (after_commit,) = registry.get("caching.invalidation-commit").predictions
    assert after_commit.answer(lab) == "yes"


def test_eight_concurrent_get_or_set_misses_compute_eight_times_and_the_add_lock_once(run_demo, transactional_db):
    lab = run_demo("caching.stampede", threads=8)
    assert lab.get("get_or_set").facts["computed"] == 8
    assert lab.get("add_lock").facts["computed"] == 1
    assert lab.headline_text == "8 threads missing at once: get_or_set() computed 8×, the add() lock 1×"
    (times,) = registry.get("caching.stampede").predictions
    assert times.grade(lab, "once per thread") == (True, "once per thread")


def test_numbers_and_their_strings_share_a_fragment_key(fragment):
    assert fragment.get("collisions").facts["int"] is True


def test_a_quoted_fragment_name_keeps_its_quotes_in_the_key(db):
    from django.core.cache import caches
    from django.core.cache.utils import make_template_fragment_key
    from django.template import Context, Template

    Template('{% load cache %}{% cache 60 "quoted" using="locmem" %}x{% endcache %}').render(Context())
    assert caches["locmem"].has_key(make_template_fragment_key('"quoted"'))
    assert not caches["locmem"].has_key(make_template_fragment_key("quoted"))


def test_a_thread_that_raises_is_reported_in_the_step_not_lost(run_demo, transactional_db, monkeypatch):
    from demos import caching_stampede

    def refuse(*args, **kwargs):
        raise RuntimeError("the cache is down")

    monkeypatch.setattr(caching_stampede, "get_or_compute_with_lock", refuse)
    step = run_demo("caching.stampede", threads=4).get("add_lock")
    assert step.facts["raised"] == 4
    assert step.facts["error"] == "RuntimeError: the cache is down"


@pytest.mark.postgres
def test_on_the_database_backend_the_add_lock_lets_one_thread_compute(run_demo, transactional_db):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks the cache table against concurrent writers")
    lab = run_demo("caching.stampede", backend="db", threads=4)
    assert lab.get("get_or_set").facts["computed"] == 4
    step = lab.get("add_lock")
    assert step.facts["computed"] == 1 and "raised" not in step.facts


def test_a_fragment_headline_and_prediction_come_from_the_run(fragment):
    again = fragment.get("ann_again").facts
    assert fragment.headline_text == f"ann's second render: a hit, 0 queries, the same stamp ({again['stamp']})"
    (queries,) = registry.get("caching.fragment").predictions
    assert queries.grade(fragment, "0") == (True, "0")


def test_the_sidebar_fragment_is_kept_apart_per_learner_by_the_key_function(run_demo):
    ann = run_demo("caching.fragment", learner="ann0000000000000")
    keys = {op.full_key for op in ann.get("ann_first").cache_ops if op.op == "set"}
    assert keys and all(key.startswith("learner-ann0000000000000:") for key in keys)


@pytest.fixture
def generations(run_demo):
    return run_demo("caching.generations")


def test_a_bulk_update_leaves_the_lists_stale_until_the_generation_moves(generations):
    old = generations.get("page_1").result[0]["price"]
    assert generations.get("discount").facts["rows"] == 2  # publisher A's two books, in one UPDATE
    assert not generations.get("discount").signals
    assert generations.get("page_1_stale").facts["price"] == old  # a hit: the old price
    assert len(generations.get("page_1_stale").queries) == 0


def test_one_incr_of_books_gen_moves_every_list_key_and_the_next_read_misses(generations):
    new = generations.get("page_1_new")
    assert [op.op for op in generations.get("books_changed").cache_ops] == ["incr"]
    assert new.facts["queries"] == 1 and new.facts["price"] != generations.get("page_1").result[0]["price"]
    before = generations.get("page_1").facts["key"].split(":")
    after = new.facts["key"].split(":")
    assert before[:2] == after[:2] == ["books", "list"] and int(after[2]) == int(before[2]) + 1
    assert new.facts["old_keys_left"] == 2  # never deleted: never read again, they expire on their own
    (query,) = registry.get("caching.generations").predictions
    assert query.grade(generations, "yes") == (True, "yes")


def test_books_changed_survives_an_evicted_counter(db):
    from django.core.cache import caches

    from sandbox.teaching.caching_invalidation import GENERATION_KEY, LIST_CACHE, book_list_key, books_changed

    caches[LIST_CACHE].delete(GENERATION_KEY)
    books_changed()  # no counter: nothing to bump, and no error
    first = book_list_key(1)
    books_changed()
    assert book_list_key(1) != first


@pytest.mark.parametrize("asked", [2, 4, 16])
def test_on_the_database_backend_the_stampede_runs_at_most_four_threads(run_demo, transactional_db, asked):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks the cache table against concurrent writers")
    step = run_demo("caching.stampede", backend="db", threads=asked).get("get_or_set")
    assert step.facts["threads"] == min(asked, 4)
    assert step.facts.get("asked") == (asked if asked > 4 else None)


@pytest.mark.postgres
def test_a_stampede_on_db_holds_at_most_five_postgresql_connections(run_demo, transactional_db):
    """Issue 12.6: 16 threads on db held 17 connections; 8 learners at once would pass max_connections=100."""
    import threading
    import time

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL connections (pg_stat_activity)")
    count_sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    peak, done = [0], threading.Event()

    def sample():  # its own connection, left out of the count
        try:
            with connections["default"].cursor() as cursor:
                while not done.is_set():
                    cursor.execute(count_sql)
                    peak[0] = max(peak[0], cursor.fetchone()[0])
                    done.wait(0.005)
        finally:
            connections.close_all()

    def others() -> int:
        with connection.cursor() as cursor:
            cursor.execute(count_sql)
            return cursor.fetchone()[0]

    before = others()  # connections other tests' threads may still be closing
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        lab = run_demo("caching.stampede", backend="db", threads=16)
    finally:
        done.set()
        sampler.join()
    assert lab.get("add_lock").facts["computed"] == 1
    assert 2 <= peak[0] - before <= 5  # the run's own connection and at most 4 threads'
    deadline = time.monotonic() + 5  # a backend leaves pg_stat_activity a moment after its client closes
    while others() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert others() <= before  # every thread closed its connection
