"""M7: a middleware's tests, run in-process: alone with RequestFactory, through a stack with the test Client."""

from django.db import connection
from django.test import SimpleTestCase

from lab.testrun import run_tests
from sandbox.models import Book

UNIT = [
    "test_it_echoes_a_valid_incoming_id",
    "test_it_replaces_an_id_it_cannot_trust",
    "test_the_layers_below_see_the_id_on_the_request",
]
STACK = [
    "test_a_client_keeps_the_stack_it_built_on_its_first_request",
    "test_a_real_page_comes_back_with_an_id_and_its_query_count",
    "test_a_layer_added_for_one_test_sets_its_header_too",
]


def test_the_sites_middleware_passes_every_test_and_the_unit_tests_run_no_sql(run_demo):
    lab = run_demo("middleware.testing")
    unit, stack = lab.get("unit"), lab.get("stack")
    assert [unit.facts[name] for name in UNIT] == ["passed"] * 3
    assert [stack.facts[name] for name in STACK] == ["passed"] * 3
    assert unit.facts["queries"] == 0 and unit.queries == []
    assert lab.headline_text == "unit tests: 3 passed; stack tests: 3 passed"
    assert lab.focus_key == "stack"


def test_a_factory_request_has_no_session_no_user_and_no_resolver_match(run_demo):
    facts = run_demo("middleware.testing", unit=False, stack=False).get("factory").facts
    assert facts == {"has_session": False, "has_user": False, "resolver_match": "None"}


def test_the_stack_tests_sql_is_one_query_per_page_served_plus_test_case_bookkeeping(run_demo):
    sql = [q.sql for q in run_demo("middleware.testing", unit=False).get("stack").queries]
    selects = [s for s in sql if s.startswith("SELECT")]
    assert len(selects) == 5 and all('FROM "sandbox_book"' in s for s in selects)  # one per page fetched
    savepoints = [s for s in sql if s.startswith("SAVEPOINT")]
    assert len(savepoints) == 1 + len(STACK)  # the class's atomic, then one per test
    assert sum(s.startswith("ROLLBACK TO SAVEPOINT") for s in sql) == 1 + len(STACK)
    others = [s for s in sql if s not in selects and "SAVEPOINT" not in s]
    if connection.vendor == "sqlite":
        assert others == ["PRAGMA foreign_key_check"] * len(STACK)  # TestCase checks constraints before a rollback
    else:
        assert all(s.startswith("SET CONSTRAINTS") for s in others)


def test_the_trusting_copy_fails_exactly_the_tests_that_send_an_untrusted_id(run_demo):
    lab = run_demo("middleware.testing", under_test="trusting")
    unit, stack = lab.get("unit"), lab.get("stack")
    assert [name for name in UNIT if unit.facts[name] == "failed"] == ["test_it_replaces_an_id_it_cannot_trust"]
    assert [name for name in STACK if stack.facts[name] == "failed"] == [
        "test_a_real_page_comes_back_with_an_id_and_its_query_count"
    ]
    assert unit.facts["first_failure"] == "test_it_replaces_an_id_it_cannot_trust: 'two words' == 'two words'"
    assert "'two words'" in stack.facts["first_failure"]
    assert lab.headline_text.endswith("Caught: test_it_replaces_an_id_it_cannot_trust: 'two words' == 'two words'")
    assert lab.focus_key == "unit"
    assert "class TrustingRequestIDUnitTests(RequestIDUnitTests):" in unit.code  # the code shows what ran


def test_the_predictions_are_graded_from_the_run(run_demo):
    from lab import registry

    failures, unit_queries = registry.get("middleware.testing").predictions
    assert failures.answer(run_demo("middleware.testing")) == "0"
    lab = run_demo("middleware.testing", under_test="trusting")
    assert failures.answer(lab) == "2"
    assert unit_queries.answer(lab) == "0"
    assert unit_queries.answer(run_demo("middleware.testing", unit=False)) == ""


def test_a_client_keeps_its_stack_and_a_new_client_builds_the_new_one(run_demo):
    """The lesson's gotcha is a test of its own: only a new Client's response has X-Frame-Options."""
    stack = run_demo("middleware.testing", unit=False).get("stack")
    assert stack.facts["test_a_client_keeps_the_stack_it_built_on_its_first_request"] == "passed"


def test_a_simple_test_case_refuses_database_queries(db):
    class Queries(SimpleTestCase):
        def test_it_queries(self):
            Book.objects.count()

    outcome = run_tests(Queries).get("test_it_queries")
    assert outcome.status == "failed"  # DatabaseOperationForbidden is an AssertionError
    assert "Database queries to 'default' are not allowed in SimpleTestCase subclasses" in outcome.message


def test_while_a_test_overrides_middleware_other_runs_still_get_the_sites_stack(seeded):
    """lab.testrun's overrides are process-wide for a moment: the demos that send the site's stack read it once."""
    from django.test import override_settings

    from demos.middleware_kit import site_stack

    before = site_stack()
    assert before and "django.middleware.common.CommonMiddleware" in before
    with override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"]):
        assert site_stack() == before
