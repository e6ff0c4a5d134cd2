"""TestCases that lab/tests/test_testrun.py runs through lab.testrun (not collected: no test_ prefix)."""

import unittest

from django.core import mail
from django.test import SimpleTestCase, TestCase

from sandbox.models import Publisher


class Mixed(unittest.TestCase):
    def test_passes(self):
        self.assertEqual(1, 1)

    def test_fails(self):
        self.assertEqual(len([]), 1)

    def test_errors(self):
        raise KeyError("missing")

    @unittest.skip("not today")
    def test_skipped(self):
        pass


class BrokenClassSetUp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no fixture")

    def test_never_runs(self):
        pass


class WritesARow(TestCase):
    def test_writes(self):
        Publisher.objects.create(name="Written in a test")
        self.assertTrue(Publisher.objects.filter(name="Written in a test").exists())


class SendsMail(SimpleTestCase):
    def test_sends(self):
        mail.send_mail("s", "b", None, ["a@example.com"])
        self.assertEqual(len(mail.outbox), 1)


class Stopped(Exception):
    pass


class StopsTheRun(unittest.TestCase):
    def test_first(self):
        raise Stopped("the time limit")

    def test_second(self):
        pass
