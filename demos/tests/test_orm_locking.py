"""ORM lesson 8: select_for_update, its options, and a lost update between two real transactions.

The races and TransactionManagementError need PostgreSQL and committed data (transactional_db):
they run in the PostgreSQL leg. The SQLite facts (no FOR UPDATE, no error) run in the SQLite leg.
"""

import pytest
from django.db import connection

from lab import registry
from sandbox.models import ReviewTally

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL leg: row locks")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg")


@on_sqlite
def test_on_sqlite_select_for_update_sends_no_for_update_and_raises_nothing_in_autocommit(run_demo, transactional_db):
    lab = run_demo("orm.locking", show="sql")
    outside = lab.get("lock_outside_a_transaction")
    assert outside.facts["raised"] == "nothing" and not outside.error
    assert outside.facts["has_select_for_update"] is False
    assert outside.facts["clause"] == ""
    assert [lab.get(key).facts["clause"] for key in ("plain", "nowait", "skip_locked", "of_self", "no_key")] == [""] * 5
    assert lab.get("both").error == "The nowait option cannot be used with skip_locked."
    assert lab.headline_text == (
        "sqlite: no error outside a transaction, and no FOR UPDATE in the SQL at all (select_for_update() does "
        "nothing here)"
    )
    (prediction,) = registry.get("orm.locking").predictions
    assert prediction.grade(lab, "no") == (True, "no")


@on_sqlite
def test_on_sqlite_the_races_are_not_run_and_the_card_says_why(run_demo, transactional_db):
    lab = run_demo("orm.locking", show="race")
    step = lab.get("not_run")
    assert step.facts == {"database": "sqlite", "ran": False}
    assert "no row locks" in step.log[0]
    assert lab.headline_text == "Not run on sqlite: the race needs row locks (PostgreSQL)"


@pytest.mark.postgres
@on_postgresql
def test_outside_a_transaction_postgresql_refuses_select_for_update(run_demo, transactional_db):
    lab = run_demo("orm.locking", show="sql")
    outside = lab.get("lock_outside_a_transaction")
    assert outside.error_type == "TransactionManagementError"
    assert outside.error == "select_for_update cannot be used outside of a transaction."
    assert outside.queries == []  # refused before anything was sent
    assert outside.facts["has_select_for_update"] is True
    (prediction,) = registry.get("orm.locking").predictions
    assert prediction.grade(lab, "yes") == (True, "yes")


@pytest.mark.postgres
@on_postgresql
def test_each_option_changes_the_locking_clause_on_postgresql(run_demo, transactional_db):
    lab = run_demo("orm.locking", show="sql")
    keys = ("plain", "nowait", "skip_locked", "of_self", "no_key")
    clauses = {key: lab.get(key).facts["clause"] for key in keys}
    assert clauses == {
        "plain": "FOR UPDATE",
        "nowait": "FOR UPDATE NOWAIT",
        "skip_locked": "FOR UPDATE SKIP LOCKED",
        "of_self": 'FOR UPDATE OF "sandbox_book"',
        "no_key": "FOR NO KEY UPDATE",
    }
    assert lab.get("both").error_type == "ValueError" and lab.get("both").queries == []
    plain = [q.sql for q in lab.get("plain").queries if q.sql.startswith("SELECT")][0]
    assert "INNER JOIN" in plain  # FOR UPDATE without OF: the joined publisher's row is locked too
    assert (
        lab.headline_text
        == "Outside a transaction: TransactionManagementError; inside atomic() the SELECT ends 'FOR UPDATE'"
    )


@pytest.mark.postgres
@on_postgresql
def test_two_real_transactions_lose_a_review_with_read_modify_write_and_not_with_f_or_a_lock(
    run_demo, transactional_db
):
    lab = run_demo("orm.locking", show="race")
    plain, f, locked = (lab.get(key).facts for key in ("read_modify_write", "f_update", "locked"))
    assert (plain["final"], plain["lost"]) == (1, 1)
    assert (f["final"], f["lost"]) == (2, 0)
    assert (locked["final"], locked["lost"]) == (2, 0)
    assert locked["waited"] is True and locked["slowest_ms"] >= 600  # waited for the other's commit
    assert plain["waited"] is False
    sql = [q.sql for q in lab.get("locked").queries if q.sql.startswith("SELECT")]
    assert len(sql) == 2 and all(s.endswith("FOR UPDATE") for s in sql)
    assert lab.headline_text == (
        "Two reviews at once: read-modify-write ends at 1 (1 lost), F() at 2, select_for_update() at 2"
    )
    assert not ReviewTally.objects.exists()  # the run's rows are gone


@pytest.mark.postgres
@on_postgresql
def test_nowait_fails_at_once_and_skip_locked_takes_the_next_row(run_demo, transactional_db):
    lab = run_demo("orm.locking", show="options")
    nowait = lab.get("nowait").facts
    assert nowait["raised"] == "OperationalError"
    assert nowait["error"].startswith('could not obtain lock on row in relation "sandbox_reviewtally"')
    assert nowait["waited_ms"] < 300  # did not wait for the holder's 0.9 s
    assert lab.get("skip_locked").facts["taken"] == "second"
    assert not ReviewTally.objects.exists()
