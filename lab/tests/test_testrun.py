"""lab.testrun: a Django TestCase run in-process, each test's outcome recorded.

The sample cases are built inside each test: a TestCase class at module level would be collected by pytest.
"""

from __future__ import annotations

import unittest

from django.conf import settings
from django.core import mail
from django.test import SimpleTestCase, TestCase, override_settings

from lab.testing import recorded
from lab.testrun import run_tests
from sandbox.models import Publisher


def sample_cases():
    class Sample(TestCase):
        @classmethod
        def setUpTestData(cls):
            Publisher.objects.create(name="Made by setUpTestData")

        def test_a_passes(self):
            self.assertEqual(Publisher.objects.filter(name="Made by setUpTestData").count(), 1)

        def test_b_fails(self):
            self.assertEqual(1, 2, "one is not two")

        def test_c_errors(self):
            raise ValueError("boom")

        @unittest.skip("not today")
        def test_d_skipped(self):
            pass

    return Sample


def test_each_test_gets_its_outcome_and_message(db):
    run = run_tests(sample_cases())
    assert [(o.name, o.status) for o in run.outcomes] == [
        ("test_a_passes", "passed"),
        ("test_b_fails", "failed"),
        ("test_c_errors", "error"),
        ("test_d_skipped", "skipped"),
    ]
    assert run.get("test_b_fails").message == "1 != 2 : one is not two"
    assert run.get("test_c_errors").message == "ValueError: boom"
    assert run.get("test_d_skipped").message == "not today"
    assert "unittest/case.py" not in run.get("test_b_fails").detail
    assert "test_b_fails" in run.get("test_b_fails").detail
    assert run.summary == "1 passed, 1 failed, 1 error, 1 skipped"
    assert run.passed is False


def test_names_pick_the_tests_to_run_and_a_passing_run_passes(db):
    run = run_tests(sample_cases(), names=["test_a_passes"])
    assert [o.name for o in run.outcomes] == ["test_a_passes"]
    assert run.passed and run.summary == "1 passed"
    assert run_tests(sample_cases(), names=["nothing"]).passed is False  # nothing ran: not a pass


def test_a_test_case_writes_nothing_that_outlives_it(db):
    run_tests(sample_cases())
    assert not Publisher.objects.filter(name="Made by setUpTestData").exists()


def test_settings_overrides_are_undone_and_the_outbox_put_back(db):
    @override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"])
    class Overrides(SimpleTestCase):
        def test_it_sees_the_override(self):
            self.assertEqual(settings.MIDDLEWARE, ["django.middleware.common.CommonMiddleware"])
            self.assertEqual(mail.outbox, [])

    before = list(settings.MIDDLEWARE)
    mail.outbox = ["kept"]
    try:
        assert run_tests(Overrides).passed
        assert list(settings.MIDDLEWARE) == before
        assert mail.outbox == ["kept"]
    finally:
        mail.outbox = []


def test_a_failing_set_up_class_is_reported_as_an_error(db):
    class Broken(SimpleTestCase):
        @classmethod
        def setUpClass(cls):
            raise RuntimeError("no set-up")

        def test_never_runs(self):
            pass

    run = run_tests(Broken)
    assert [(o.name, o.status) for o in run.outcomes] == [("setUpClass", "error")]
    assert run.outcomes[0].message == "RuntimeError: no set-up"


def test_inside_a_recorder_the_tests_queries_are_recorded(db):
    with recorded() as lab:
        run = run_tests(sample_cases(), names=["test_a_passes"])
    assert run.passed
    sql = [q.sql for q in lab.get("test").queries]
    assert any("INSERT" in s and "sandbox_publisher" in s for s in sql)  # setUpTestData
    assert any(s.startswith("SELECT COUNT(*)") for s in sql)  # the test's own query


def test_outside_a_test_environment_the_client_host_is_let_in_and_the_site_hosts_kept(db, settings):
    seen = []

    class Hosts(SimpleTestCase):
        def test_it_gets_a_page(self):
            seen.append(list(settings.ALLOWED_HOSTS))
            self.assertEqual(self.client.get("/sandbox/middleware/hooks/").status_code, 200)

    settings.ALLOWED_HOSTS = ["class.example.org"]  # as on a classroom server, which never ran setup_test_environment
    assert run_tests(Hosts).passed
    assert seen == [["class.example.org", "testserver"]]
    assert settings.ALLOWED_HOSTS == ["class.example.org"]
    settings.DEBUG, settings.ALLOWED_HOSTS = True, []  # local mode: Django's implicit local hosts stay allowed
    run_tests(Hosts)
    assert seen[-1] == [".localhost", "127.0.0.1", "[::1]", "testserver"]
