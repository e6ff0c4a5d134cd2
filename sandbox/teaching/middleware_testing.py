"""Testing a middleware: alone with RequestFactory, and through a whole stack with the test Client (M7).

Plain Django tests, as they would sit in an app's tests.py. The lesson's demo
runs them in-process and shows each outcome; `TrustingRequestIDMiddleware` is
the site's RequestIDMiddleware with one mistake, for the tests to catch.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory, SimpleTestCase, TestCase, modify_settings, override_settings

from sandbox.middleware import RequestIDMiddleware

BOOKS = "/sandbox/middleware/books/"


class TrustingRequestIDMiddleware(RequestIDMiddleware):
    """The mistake: it keeps whatever id the caller sends, spaces and newlines included."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.id = request.headers.get("X-Request-ID") or secrets.token_hex(16)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class RequestIDUnitTests(SimpleTestCase):
    """The middleware alone: a request from RequestFactory, and a fake get_response instead of the stack."""

    middleware_class = RequestIDMiddleware

    def setUp(self):
        self.factory = RequestFactory()
        self.seen = []  # the requests the fake inner layers were given
        self.middleware = self.middleware_class(self.get_response)

    def get_response(self, request):
        # Stands in for every layer below and the view: it records its request and answers 200.
        self.seen.append(request)
        return HttpResponse("ok")

    def test_it_echoes_a_valid_incoming_id(self):
        response = self.middleware(self.factory.get("/", headers={"X-Request-ID": "abc-123"}))
        self.assertEqual(response["X-Request-ID"], "abc-123")

    def test_it_replaces_an_id_it_cannot_trust(self):
        response = self.middleware(self.factory.get("/", headers={"X-Request-ID": "two words"}))
        self.assertNotEqual(response["X-Request-ID"], "two words")
        self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")

    def test_the_layers_below_see_the_id_on_the_request(self):
        response = self.middleware(self.factory.get("/"))
        (request,) = self.seen
        self.assertEqual(request.id, response["X-Request-ID"])


@override_settings(
    MIDDLEWARE=[
        "sandbox.middleware.RequestIDMiddleware",
        "sandbox.middleware.ServerTimingMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
)
class RequestIDStackTests(TestCase):
    """Through a whole stack: the test Client builds a handler from settings.MIDDLEWARE, as the server does."""

    def test_a_real_page_comes_back_with_an_id_and_its_query_count(self):
        with self.assertNumQueries(1):
            response = self.client.get(BOOKS, headers={"X-Request-ID": "two words"})
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")
        self.assertEqual(response["X-Lab-Queries"], "1")

    @modify_settings(MIDDLEWARE={"append": "django.middleware.clickjacking.XFrameOptionsMiddleware"})
    def test_a_layer_added_for_one_test_sets_its_header_too(self):
        response = self.client.get(BOOKS)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("X-Request-ID", response)

    def test_a_client_keeps_the_stack_it_built_on_its_first_request(self):
        self.client.get(BOOKS)
        with self.modify_settings(MIDDLEWARE={"append": "django.middleware.clickjacking.XFrameOptionsMiddleware"}):
            self.assertNotIn("X-Frame-Options", self.client.get(BOOKS))  # its handler still has the old stack
            self.assertEqual(self.client_class().get(BOOKS)["X-Frame-Options"], "DENY")  # a new Client: the new one


class TrustingRequestIDUnitTests(RequestIDUnitTests):
    """The same unit tests, pointed at the copy with the mistake."""

    middleware_class = TrustingRequestIDMiddleware


@override_settings(
    MIDDLEWARE=[
        "sandbox.teaching.middleware_testing.TrustingRequestIDMiddleware",
        "sandbox.middleware.ServerTimingMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
)
class TrustingRequestIDStackTests(RequestIDStackTests):
    """The same stack tests, with the copy in the stack instead of the site's middleware."""


def a_factory_request() -> dict:
    """What a RequestFactory request carries: what you give it, and nothing a middleware would have added."""
    request = RequestFactory().get("/sandbox/middleware/books/", headers={"X-Request-ID": "abc-123"})
    return {
        "X-Request-ID": request.headers["X-Request-ID"],
        "has session": hasattr(request, "session"),
        "has user": hasattr(request, "user"),
        "resolver_match": request.resolver_match,
    }
