"""ORM lesson 9: db_default, GeneratedField, create_defaults, values() order, refresh_from_db(from_queryset=), async."""

from decimal import Decimal

import django

from lab import registry
from sandbox.models import CartLine


def test_an_unsaved_db_default_is_a_database_default_and_create_reads_the_database_s_value(run_demo):
    lab = run_demo("orm.django5", feature="db_default")
    assert lab.get("unsaved_line").facts == {"qty": "DatabaseDefault", "is_database_default": True}
    assert lab.get("unsaved_line").queries == []
    saved = lab.get("saved_line")
    assert saved.facts == {"qty": 1, "added_set": True, "returning": True}
    assert lab.headline_text == "Before saving, qty is a DatabaseDefault; after create() it is 1, the database's value"


def test_a_generated_total_comes_back_from_the_insert_and_is_stale_after_save_on_5_2(run_demo):
    lab = run_demo("orm.django5", feature="generated")
    assert lab.get("line_of_three").facts["total"] == Decimal("30.00")
    changed = lab.get("change_quantity").facts
    assert changed["update_sets_total"] is False  # the database computes it; Django never writes it
    assert lab.get("reload").facts["total"] == Decimal("40.00")
    (prediction,) = registry.get("orm.django5").predictions
    if django.VERSION < (6, 0):  # 5.2: save() does not read generated columns back
        assert changed["total"] == Decimal("30.00")
        assert "(stale until refresh_from_db())" in lab.headline_text
        assert prediction.grade(lab, "30.00") == (True, "30.00")
    else:  # 6.0+: read back with RETURNING
        assert changed["total"] == Decimal("40.00")
        assert "(read back by save())" in lab.headline_text
        assert prediction.grade(lab, "40.00") == (True, "40.00")
    assert not CartLine.objects.exists()  # rolled back


def test_create_defaults_are_used_to_create_and_defaults_to_update(run_demo):
    lab = run_demo("orm.django5", feature="create_defaults")
    assert lab.get("first").facts == {"created": True, "price": Decimal("3.00"), "qty": 2}
    assert lab.get("second").facts == {"created": False, "price": Decimal("2.00"), "qty": 2}
    assert lab.headline_text == (
        "Created with price 3.00 and qty 2 (create_defaults); updated to price 2.00, qty still 2 (defaults)"
    )


def test_values_list_selects_the_columns_in_the_order_written(run_demo):
    lab = run_demo("orm.django5", feature="values_order")
    step = lab.get("authors_then_title")
    assert step.facts["first_selected"] == "n_authors"
    assert step.facts["row"] == [2, "A1"]
    assert step.queries[0].sql.startswith('SELECT COUNT("sandbox_book_authors"."author_id") AS "n_authors"')


def test_refresh_from_a_select_related_queryset_loads_the_publisher_in_the_same_query(run_demo):
    lab = run_demo("orm.django5", feature="refresh")
    assert lab.get("refresh_then_read_publisher").facts["queries"] == 2
    joined = lab.get("refresh_with_publisher")
    assert joined.facts["queries"] == 1 and "JOIN" in joined.queries[0].sql
    assert joined.result == "A"


def test_aiterator_honours_prefetch_related_and_aprefetch_related_objects_takes_a_list(run_demo):
    lab = run_demo("orm.django5", feature="async")
    iterated = lab.get("titles_and_authors_async")
    assert iterated.facts["queries"] == 2 and iterated.facts["rows"] == 5
    assert iterated.result[0] == ("A1", ["Ada Adams", "Ben Brook"])
    prefetched = lab.get("prefetch_authors_async")
    assert prefetched.facts["queries"] == 2
    assert prefetched.result == [("A1", ["Ada Adams", "Ben Brook"]), ("B1", ["Ben Brook"])]


def test_the_migration_gives_qty_a_database_default_and_total_a_stored_generated_column(transactional_db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sqlmigrate", "sandbox", "0002", stdout=out)
    sql = out.getvalue()
    assert '"qty" integer unsigned DEFAULT 1' in sql or '"qty" integer DEFAULT 1' in sql
    assert "GENERATED ALWAYS AS" in sql and "STORED" in sql
