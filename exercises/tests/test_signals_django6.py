"""The Signals version exercises show, on whichever Django runs them, what the lesson's version note says."""

import django

from lab import exercises


def run(slug, code=None):
    ex = exercises.get(slug)
    return exercises.attempt(ex, ex.solution if code is None else code, "run")


def facts(result, key):
    return next(step["facts"] for step in result.report["steps"] if step["key"] == key)


def test_m2m_raw_run_shows_the_raw_each_version_sends(seeded):
    result = run("signals.m2m-raw")
    assert result.error is None, result.error
    add, fixture = facts(result, "add"), facts(result, "fixture")
    assert add["emails"] == "1"
    assert fixture["emails"] == "0" if django.VERSION >= (6, 1) else "1"
    version = django.get_version()
    if django.VERSION >= (6, 1):
        assert add["raw"] == "[False, False]"
        assert fixture["raw"] == "[True, True]"
        assert result.report["headline"].startswith(f"Django {version}: a fixture's m2m_changed had raw=True;")
    else:
        assert add["raw"] == fixture["raw"] == "['absent', 'absent']"
        assert result.report["headline"].startswith(f"Django {version}: a fixture's m2m_changed had no raw argument;")


def test_m2m_raw_a_receiver_that_ignores_raw_emails_for_the_fixture_only_on_6_1(seeded):
    ex = exercises.get("signals.m2m-raw")
    ignores_raw = ex.solution.replace('kwargs.get("raw", False)', "False")
    result = exercises.attempt(ex, ignores_raw, "check")
    if django.VERSION >= (6, 1):
        assert [c.passed for c in result.checks] == [True, False]
        assert "m2m_changed said raw=True" in result.messages[0]
    else:
        assert result.ok  # 5.2 sends no raw: ignoring it is all a receiver can do
        assert facts(exercises.attempt(ex, ignores_raw, "run"), "fixture")["emails"] == "1"


def test_m2m_raw_a_required_raw_parameter_fails_only_on_5_2(seeded):
    ex = exercises.get("signals.m2m-raw")
    required = ex.solution.replace("pk_set, **kwargs", "pk_set, raw, **kwargs").replace(
        'kwargs.get("raw", False)', "raw"
    )
    result = exercises.attempt(ex, required, "check")
    if django.VERSION >= (6, 1):
        assert result.ok, result.messages
    else:
        assert not result.ok
        assert "Django 5.2" in result.messages[0] and "sends no raw argument" in result.messages[0]


def test_db_cascade_run_shows_that_6_1_sends_no_post_delete_for_the_cascaded_slots(seeded):
    result = run("signals.db-cascade")
    assert result.error is None, result.error
    delete, yours = facts(result, "delete"), facts(result, "yours")
    assert yours["post_delete"] == "['Slot', 'Slot', 'Shelf']"
    assert delete["slots_left"] == yours["slots_left"] == "0"
    version = django.get_version()
    if django.VERSION >= (6, 1):
        assert delete["post_delete"] == "['Shelf']"  # the database deleted the slots, unannounced
        expected = f"Django {version}: shelf.delete() with on_delete=DB_CASCADE sent post_delete for 0 of 2 slots;"
    else:
        assert delete["post_delete"] == "['Slot', 'Slot', 'Shelf']"  # Django's CASCADE collected them
        expected = f"Django {version}: shelf.delete() with on_delete=CASCADE sent post_delete for 2 of 2 slots;"
    assert result.report["headline"].startswith(expected)


def test_db_cascade_shelf_delete_alone_is_a_mistake_only_on_6_1(seeded):
    ex = exercises.get("signals.db-cascade")
    result = exercises.attempt(ex, "def remove_shelf(shelf):\n    shelf.delete()\n", "check")
    if django.VERSION >= (6, 1):
        assert [c.passed for c in result.checks] == [True, False]
        assert "on_delete=DB_CASCADE" in result.messages[0] and "Django 6.1" in result.messages[0]
    else:
        assert result.ok, result.messages  # CASCADE in Django sends each slot's post_delete


def test_db_cascade_models_stay_out_of_the_projects_registry():
    from django.apps import apps

    from exercises.signals_django6 import Slot

    assert Slot not in apps.get_models()
    assert "exercise_shelves" not in {config.label for config in apps.get_app_configs()}
