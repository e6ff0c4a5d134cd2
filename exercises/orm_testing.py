"""ORM lesson 10 (testing queries): write the test that pins the book list at one query."""

import unittest

from lab.exercises import Fail, exercise


def book_list_n_plus_one(request):
    from django.http import HttpResponse

    from sandbox.models import Book

    books = Book.objects.order_by("title")
    return HttpResponse("\n".join(f"{b.title} ({b.publisher.name})" for b in books))


def book_list_fixed(request):
    from django.http import HttpResponse

    from sandbox.models import Book

    books = Book.objects.select_related("publisher").order_by("title")
    return HttpResponse("\n".join(f"{b.title} ({b.publisher.name})" for b in books))


ex = exercise(
    "orm.pin-the-query-count",
    title="A test that catches the N+1",
    lesson="orm/10-testing-queries",
    prompt=(
        "`BookListTest` calls a book list view (`self.view`) and only checks the status code, so it passes on "
        "a page that sends one query per book. Make it **fail on the N+1 view and pass on the fixed one**: the "
        "check runs your test twice, with `view` set to each. The fixed view sends one query."
    ),
    starter="""from django.test import RequestFactory, TestCase


class BookListTest(TestCase):
    view = None  # the check sets it: the N+1 book list, then the fixed one

    def test_book_list(self):
        response = self.view(RequestFactory().get("/books/"))
        self.assertEqual(response.status_code, 200)
""",
    solution="""from django.test import RequestFactory, TestCase


class BookListTest(TestCase):
    view = None  # the check sets it: the N+1 book list, then the fixed one

    def test_book_list(self):
        with self.assertNumQueries(1):
            response = self.view(RequestFactory().get("/books/"))
        self.assertEqual(response.status_code, 200)
""",
    hints=(
        "Both views return the same page: only the number of queries differs.",
        "`self.assertNumQueries(n)` is a context manager that fails when the block sends other than n queries.",
        "Put only the view call inside `with self.assertNumQueries(1):`.",
    ),
    mistakes={
        """from django.test import RequestFactory, TestCase


class BookListTest(TestCase):
    view = None

    def test_book_list(self):
        with self.assertNumQueries(6):
            response = self.view(RequestFactory().get("/books/"))
        self.assertEqual(response.status_code, 200)
""": "fails on the fixed view",
    },
)


class KeepConnection:
    """TestCase closes every connection after its class; here that is the attempt's, inside its transaction."""

    @classmethod
    def tearDownClass(cls):
        from django.test import TestCase

        cls._rollback_atomics(cls.cls_atomics)
        super(TestCase, cls).tearDownClass()


def run_against(attempt, view):
    """Run the learner's test class with `view` set; return (passed, first failure line)."""
    from django.test import TestCase

    learner_case = attempt.learner.BookListTest
    mixins = (KeepConnection,) if issubclass(learner_case, TestCase) else ()
    case = type("BookListTest", (*mixins, learner_case), {"view": staticmethod(view)})
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    problems = result.failures + result.errors
    if not result.testsRun:
        raise Fail("BookListTest has no test method: name one test_... .")
    last = problems[0][1].strip().splitlines()[-1] if problems else ""
    return not problems, last


@ex.check("Your test fails against the N+1 view")
def fails_on_n_plus_one(attempt):
    passed, _ = run_against(attempt, book_list_n_plus_one)
    if passed:
        raise Fail(
            "Your test passed against the N+1 view, which sends 6 queries for 5 books: pin the count with "
            "self.assertNumQueries(1) around the view call."
        )


@ex.check("Your test passes against the fixed view")
def passes_on_fixed(attempt):
    passed, why = run_against(attempt, book_list_fixed)
    if not passed:
        raise Fail(f"Your test fails on the fixed view, which sends 1 query: {why}")


@ex.run
def show(lab, attempt):
    from functools import partial

    slow = lab.step("BookListTest with the N+1 view", partial(run_against, attempt, book_list_n_plus_one), key="slow")
    fast = lab.step("BookListTest with the fixed view", partial(run_against, attempt, book_list_fixed), key="fast")
    verdict = {True: "passed", False: "failed"}
    lab.headline(f"N+1 view: your test {verdict[slow.result[0]]}; fixed view: {verdict[fast.result[0]]}")
