"""Middleware exercises, lessons 05-07: a middleware from a function, a hybrid factory, a test you write.

No threads and no event loop are needed: the hybrid's coroutine is driven to its end with `send(None)`
(the fake async get_response never waits), and the learner's tests run in-process with lab.testrun.
"""

import re
from functools import partial

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import BadHeaderError, HttpResponse
from django.test import RequestFactory, override_settings

from lab.exercises import Fail, exercise
from lab.testrun import run_tests
from sandbox.middleware import RequestIDMiddleware
from sandbox.teaching.middleware_testing import TrustingRequestIDMiddleware

from .middleware_basics import show_response
from .middleware_urls import through

HEX_ID = re.compile(r"[0-9a-f]{32}")

# -- 05: a middleware made from a function --------------------------------------------------------

RID = "learner.request_id_middleware"

function_mw = exercise(
    "middleware.function-factory",
    title="A request-id middleware made from a function",
    lesson="middleware/05-production",
    prompt=(
        "Write `request_id_middleware(get_response)`, a middleware factory that is a **function**: Django calls "
        "it once with `get_response` and calls what it returns for every request. Keep an incoming "
        "`X-Request-ID` if it is 1 to 64 letters, digits, `.`, `_` or `-`; otherwise make one with "
        "`secrets.token_hex(16)`. Put it on `request.id` for the view, and echo it on the response."
    ),
    starter="""import re
import secrets

VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_middleware(get_response):
    def middleware(request):
        return get_response(request)
""",
    solution="""import re
import secrets

VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_middleware(get_response):
    def middleware(request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if VALID_ID.fullmatch(incoming) else secrets.token_hex(16)
        response = get_response(request)
        response["X-Request-ID"] = request.id
        return response

    return middleware
""",
    hints=(
        "The factory must `return middleware`: Django refuses a factory that returns None.",
        "`VALID_ID.fullmatch(incoming)`: `re.match` with `$` also accepts a trailing newline.",
        "Set `request.id` before `get_response(request)`, so the view can read it.",
    ),
    mistakes={
        """def request_id_middleware(get_response):
    def middleware(request):
        return get_response(request)
""": "Your factory returned None",
        """import re
import secrets


def request_id_middleware(get_response):
    def middleware(request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if re.match(r"^[A-Za-z0-9._-]{1,64}$", incoming) else secrets.token_hex(16)
        response = get_response(request)
        response["X-Request-ID"] = request.id
        return response

    return middleware
""": "must be replaced",
        """import re
import secrets

VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if VALID_ID.fullmatch(incoming) else secrets.token_hex(16)
        response["X-Request-ID"] = request.id
        return response

    return middleware
""": "set request.id before calling get_response",
    },
)


def rid_get(headers):
    try:
        return through([RID], "/request-id/", headers=headers)
    except ImproperlyConfigured as exc:
        raise Fail(
            f"Your factory returned None ({exc}): Django calls request_id_middleware(get_response) once and "
            "needs the inner function back: end it with `return middleware`."
        ) from None


@function_mw.check("A valid incoming id reaches the view and comes back")
def rid_valid(attempt):
    response = rid_get({"X-Request-ID": "abc-123"})
    if response.content != b"abc-123":
        raise Fail(
            f"The view saw request.id = {response.content.decode()!r}: set request.id before calling "
            "get_response(request)."
        )
    if response.get("X-Request-ID") != "abc-123":
        raise Fail(f"X-Request-ID came back as {response.get('X-Request-ID')!r}, expected 'abc-123'.")


@function_mw.check("An id that is not a short plain token is replaced by a fresh one")
def rid_invalid(attempt):
    for incoming in ("two words", "x" * 65, "abc-123\n", None):
        sent = "no id" if incoming is None else repr(incoming)
        try:
            response = rid_get({"X-Request-ID": incoming} if incoming is not None else {})
        except BadHeaderError as exc:
            raise Fail(
                f"For {sent}, your middleware kept the id and Django refused to send it ({exc}): it must "
                "be replaced by a fresh one (use VALID_ID.fullmatch: `$` also matches before a trailing "
                "newline)."
            ) from None
        got = response.get("X-Request-ID", "")
        if not HEX_ID.fullmatch(got):
            raise Fail(
                f"For {sent}, {got!r} came back: it must be replaced by a fresh secrets.token_hex(16) "
                "(use VALID_ID.fullmatch: `$` also matches before a trailing newline)."
            )


@function_mw.run
def rid_show(lab, attempt):
    show_response(
        lab, "GET /request-id/ with X-Request-ID: abc-123", [RID], "/request-id/", headers={"X-Request-ID": "abc-123"}
    )


# -- 06: a hybrid factory -------------------------------------------------------------------------

hybrid = exercise(
    "middleware.hybrid",
    title="A hybrid middleware that follows the stack's mode",
    lesson="middleware/06-sync-async",
    prompt=(
        "Write `mode_middleware(get_response)`, a middleware that supports both modes: decorate it with "
        "`@sync_and_async_middleware`; when `get_response` is a coroutine function return an `async def` "
        "that awaits it, otherwise a plain function; either way add `X-Mode: async` or `X-Mode: sync`. "
        "The checks call your factory as Django's handler would, with a sync and with an async "
        "`get_response` (no server and no event loop needed)."
    ),
    starter="""from asgiref.sync import iscoroutinefunction
from django.utils.decorators import sync_and_async_middleware


def mode_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        response["X-Mode"] = "sync"
        return response

    return middleware
""",
    solution="""from asgiref.sync import iscoroutinefunction
from django.utils.decorators import sync_and_async_middleware


@sync_and_async_middleware
def mode_middleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            response["X-Mode"] = "async"
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response["X-Mode"] = "sync"
            return response

    return middleware
""",
    hints=(
        "`@sync_and_async_middleware` sets sync_capable and async_capable to True.",
        "Decide once, in the factory: `if iscoroutinefunction(get_response):` define an `async def`.",
        "In the async branch, `response = await get_response(request)`.",
    ),
    mistakes={
        """from django.utils.decorators import sync_and_async_middleware


@sync_and_async_middleware
def mode_middleware(get_response):
    async def middleware(request):
        response = await get_response(request)
        response["X-Mode"] = "async"
        return response

    return middleware
""": "returned a coroutine function",
        """from django.utils.decorators import sync_and_async_middleware


@sync_and_async_middleware
def mode_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        response["X-Mode"] = "sync"
        return response

    return middleware
""": "returned a plain function",
    },
)


def sync_get_response(request):
    return HttpResponse("view")


async def async_get_response(request):
    return HttpResponse("view")


def run_to_end(coroutine):
    """Drive a coroutine that never waits on anything (no event loop here); return its result."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise Fail("Your async middleware waited on something other than get_response: await only get_response.")


@hybrid.check("It declares both capabilities")
def hybrid_flags(attempt):
    factory = attempt.learner.mode_middleware
    if not (getattr(factory, "sync_capable", True) and getattr(factory, "async_capable", False)):
        raise Fail(
            "async_capable is False: decorate the factory with @sync_and_async_middleware "
            "(from django.utils.decorators)."
        )


@hybrid.check("With a sync get_response it stays sync")
def hybrid_sync(attempt):
    layer = attempt.learner.mode_middleware(sync_get_response)
    if iscoroutinefunction(layer):
        raise Fail(
            "With a sync get_response your factory returned a coroutine function: Django would have to "
            "adapt it with a thread hop. Return a plain function in that case."
        )
    response = layer(RequestFactory().get("/"))
    if response.get("X-Mode") != "sync":
        raise Fail(f"X-Mode is {response.get('X-Mode')!r} in a sync stack, expected 'sync'.")


@hybrid.check("With an async get_response it returns a coroutine function")
def hybrid_async(attempt):
    layer = attempt.learner.mode_middleware(async_get_response)
    if not iscoroutinefunction(layer):
        raise Fail(
            "With an async get_response your factory returned a plain function: Django would wrap the "
            "async layer below in async_to_sync. Check iscoroutinefunction(get_response) and return an "
            "async def."
        )
    response = run_to_end(layer(RequestFactory().get("/")))
    if response.get("X-Mode") != "async":
        raise Fail(f"X-Mode is {response.get('X-Mode')!r} in an async stack, expected 'async'.")


@hybrid.run
def hybrid_show(lab, attempt):
    sync_step = lab.step(
        "Build it with a sync get_response", partial(attempt.learner.mode_middleware, sync_get_response), key="sync"
    )
    sync_step.fact("coroutine", iscoroutinefunction(sync_step.result), "Returned a coroutine function")
    async_step = lab.step(
        "Build it with an async get_response", partial(attempt.learner.mode_middleware, async_get_response), key="async"
    )
    async_step.fact("coroutine", iscoroutinefunction(async_step.result), "Returned a coroutine function")
    lab.headline(
        f"sync stack: coroutine={sync_step.facts['coroutine']}; async stack: coroutine={async_step.facts['coroutine']}",
        focus=async_step,
    )


# -- 07: a RequestFactory test you write ----------------------------------------------------------


class FreshIdRequestIDMiddleware(RequestIDMiddleware):
    """Broken the other way: it ignores every incoming id, valid ones too."""

    def __call__(self, request):
        request.META.pop("HTTP_X_REQUEST_ID", None)
        return super().__call__(request)


write_test = exercise(
    "middleware.factory-test",
    title="Write a RequestFactory test that catches broken middleware",
    lesson="middleware/07-testing-middleware",
    prompt=(
        "Write `RequestIDTests`, a `SimpleTestCase` that tests the class in its `middleware_class` attribute "
        "(the site's `RequestIDMiddleware`) **alone**: build it with a fake `get_response`, call it with "
        "`RequestFactory` requests, and assert that a valid incoming id (`abc-123`) comes back and that an "
        "id with a space is replaced. The checks run your tests against the real middleware (they must pass) "
        "and against two broken copies (they must fail), swapping `middleware_class`."
    ),
    starter="""from django.http import BadHeaderError, HttpResponse
from django.test import RequestFactory, SimpleTestCase

from sandbox.middleware import RequestIDMiddleware


class RequestIDTests(SimpleTestCase):
    middleware_class = RequestIDMiddleware

    def test_it_answers(self):
        middleware = self.middleware_class(lambda request: HttpResponse("ok"))
        response = middleware(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 200)
""",
    solution="""from django.http import BadHeaderError, HttpResponse
from django.test import RequestFactory, SimpleTestCase

from sandbox.middleware import RequestIDMiddleware


class RequestIDTests(SimpleTestCase):
    middleware_class = RequestIDMiddleware

    def setUp(self):
        self.middleware = self.middleware_class(lambda request: HttpResponse("ok"))

    def test_it_echoes_a_valid_id(self):
        response = self.middleware(RequestFactory().get("/", headers={"X-Request-ID": "abc-123"}))
        self.assertEqual(response["X-Request-ID"], "abc-123")

    def test_it_replaces_an_id_with_a_space(self):
        response = self.middleware(RequestFactory().get("/", headers={"X-Request-ID": "two words"}))
        self.assertNotEqual(response["X-Request-ID"], "two words")
""",
    hints=(
        "Build the middleware from `self.middleware_class`, with `lambda request: HttpResponse('ok')` as "
        "get_response: the checks swap the class.",
        "`RequestFactory().get('/', headers={'X-Request-ID': 'abc-123'})` makes a request with that header.",
        "One test per rule: the valid id comes back; 'two words' does not.",
    ),
    mistakes={
        """from django.http import BadHeaderError, HttpResponse
from django.test import RequestFactory, SimpleTestCase

from sandbox.middleware import RequestIDMiddleware


class RequestIDTests(SimpleTestCase):
    middleware_class = RequestIDMiddleware

    def test_it_echoes_a_valid_id(self):
        middleware = self.middleware_class(lambda request: HttpResponse("ok"))
        response = middleware(RequestFactory().get("/", headers={"X-Request-ID": "abc-123"}))
        self.assertEqual(response["X-Request-ID"], "abc-123")
""": "keeps any incoming id",
        """from django.http import BadHeaderError, HttpResponse
from django.test import RequestFactory, SimpleTestCase

from sandbox.middleware import RequestIDMiddleware


class RequestIDTests(SimpleTestCase):
    middleware_class = RequestIDMiddleware

    def test_it_replaces_an_id_with_a_space(self):
        middleware = self.middleware_class(lambda request: HttpResponse("ok"))
        response = middleware(RequestFactory().get("/", headers={"X-Request-ID": "two words"}))
        self.assertNotEqual(response["X-Request-ID"], "two words")
""": "always makes a fresh id",
        """from django.test import SimpleTestCase


class RequestIDTests(SimpleTestCase):
    def test_the_site_echoes_the_id(self):
        response = self.client.get("/", headers={"X-Request-ID": "abc-123"})
        self.assertEqual(response["X-Request-ID"], "abc-123")
""": "needs the site's stack or URLs",
    },
)


def learner_tests(attempt, middleware_class=None):
    case = getattr(attempt.learner, "RequestIDTests", None)
    if case is None:
        raise Fail("Define a class RequestIDTests(SimpleTestCase).")
    if middleware_class is not None:
        case = type("RequestIDTests", (case,), {"middleware_class": middleware_class})
    with override_settings(MIDDLEWARE=[], ROOT_URLCONF="exercises.no_urls"):  # alone: no stack, no URLs
        return run_tests(case)


@write_test.check("Your tests pass against RequestIDMiddleware, with no stack and no URLs")
def tests_pass(attempt):
    run = learner_tests(attempt)
    if not run.outcomes:
        raise Fail("RequestIDTests has no test_ methods.")
    failed = next((o for o in run.outcomes if o.status != "passed"), None)
    if failed is not None:
        raise Fail(
            f"{failed.name} fails against the real middleware: {failed.message.splitlines()[0]} "
            "(if it needs the site's stack or URLs, build the middleware yourself with a fake get_response "
            "and call it with RequestFactory requests)."
        )


@write_test.check("They catch a copy that keeps any incoming id")
def tests_catch_trusting(attempt):
    if learner_tests(attempt, TrustingRequestIDMiddleware).passed:
        raise Fail(
            "Your tests pass against a copy that keeps any incoming id, 'two words' included: send an "
            "id with a space and assert it is replaced (build the middleware from self.middleware_class)."
        )


@write_test.check("They catch a copy that ignores a valid incoming id")
def tests_catch_fresh(attempt):
    if learner_tests(attempt, FreshIdRequestIDMiddleware).passed:
        raise Fail(
            "Your tests pass against a copy that always makes a fresh id: send a valid id ('abc-123') "
            "and assert it comes back."
        )


@write_test.run
def tests_show(lab, attempt):
    step = lab.step("Run RequestIDTests against RequestIDMiddleware", partial(learner_tests, attempt), key="real")
    step.table(["Test", "Outcome", "Message"], [[o.name, o.status, o.message] for o in step.result.outcomes])
    lab.headline(f"Against the real middleware: {step.result.summary}", focus=step)
