"""Middleware exercises, lessons 01-04: a timing header, short-circuiting, process_view, JSON errors, order.

Each check sends real requests with Django's test Client through real middleware (the learner's
class by its dotted path, `learner.<Name>`) to the small site in `exercises.middleware_urls`.
"""

from functools import partial

from django.test import Client, override_settings

from lab.exercises import Fail, exercise

from .middleware_urls import URLCONF, VIEW_CALLS, InnerLayer, through


def show_response(lab, label, stack, url, **options):
    """Run: one GET through the stack, its status and headers in the report."""
    step = lab.step(label, partial(through, stack, url, **options))
    response = step.result
    step.response_headers = {name: value for name, value in response.items()}
    step.fact("status", response.status_code, "Status")
    step.fact("view_calls", list(VIEW_CALLS), "Views that ran")
    lab.headline(f"GET {url}: {response.status_code}", focus=step)


# -- 01: a timing middleware --------------------------------------------------------------------

timing = exercise(
    "middleware.timing-header",
    title="A timing middleware that adds a header",
    lesson="middleware/01-onion",
    prompt=(
        "Finish `TimingMiddleware`: time everything below it (the inner layers and the view) and add the "
        "elapsed time in **milliseconds** to the response as `X-Elapsed-Ms` (for example `12.5`). "
        "The checks request a view that takes 20 ms."
    ),
    starter="""import time


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        return response
""",
    solution="""import time


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Elapsed-Ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response
""",
    hints=(
        "Code before `self.get_response(request)` runs on the way in, code after it on the way out.",
        "`time.perf_counter()` before and after the call; the difference is in seconds.",
        'Set the header on the response: `response["X-Elapsed-Ms"] = f"{ms:.1f}"`, then return it.',
    ),
    mistakes={
        """class TimingMiddleware:
    def init(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
""": "Django could not build your middleware",
        """import time


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Elapsed-Ms"] = str((time.perf_counter() - started) * 1000)
""": "Your __call__ returned None",
        """import time


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        elapsed = (time.perf_counter() - started) * 1000
        response = self.get_response(request)
        response["X-Elapsed-Ms"] = f"{elapsed:.1f}"
        return response
""": "start the clock before get_response",
    },
)


def timed_get(url="/slow/"):
    try:
        return through(["learner.TimingMiddleware"], url)
    except TypeError as exc:
        raise Fail(
            f"Django could not build your middleware: {exc}. Django calls TimingMiddleware(get_response): "
            "define __init__(self, get_response) (with the underscores)."
        ) from None
    except AttributeError as exc:
        if "NoneType" in str(exc):
            raise Fail("Your __call__ returned None: return the response at the end.") from None
        raise


@timing.check("Django builds it and the page still works")
def timing_builds(attempt):
    response = timed_get("/hello/")
    if response.status_code != 200 or response.content != b"hello" or VIEW_CALLS != ["hello"]:
        raise Fail(f"The page answered {response.status_code} {response.content[:40]!r}: pass the response on.")


@timing.check("X-Elapsed-Ms is a number of milliseconds that covers the view")
def timing_header(attempt):
    response = timed_get("/slow/")
    if "X-Elapsed-Ms" not in response:
        raise Fail("No X-Elapsed-Ms header: set response['X-Elapsed-Ms'] after get_response(request) returns.")
    try:
        ms = float(response["X-Elapsed-Ms"])
    except ValueError:
        raise Fail(f"X-Elapsed-Ms is {response['X-Elapsed-Ms']!r}: send a number, like '12.5'.") from None
    if ms < 15:
        raise Fail(
            f"X-Elapsed-Ms is {ms} for a view that takes 20 ms: start the clock before get_response(request), "
            "stop it after, and multiply seconds by 1000."
        )


@timing.run
def timing_show(lab, attempt):
    show_response(lab, "GET /slow/ through TimingMiddleware", ["learner.TimingMiddleware"], "/slow/")


# -- 01: short-circuiting -------------------------------------------------------------------------

BOTS_STACK = ["learner.NoBotsMiddleware", "exercises.middleware_urls.InnerLayer"]

bots = exercise(
    "middleware.short-circuit",
    title="Short-circuit in __call__: refuse bots before anything below runs",
    lesson="middleware/01-onion",
    prompt=(
        "`NoBotsMiddleware` sits above another layer and the view. Answer any request whose `User-Agent` "
        "contains `bot` (in any case) with a **403** saying `No bots, please.`, **without calling "
        "`get_response`**, so neither the inner layer nor the view sees it. Every other request passes "
        "through unchanged, also one with no `User-Agent` at all."
    ),
    starter="""from django.http import HttpResponse


class NoBotsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
""",
    solution="""from django.http import HttpResponse


class NoBotsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "bot" in request.headers.get("User-Agent", "").lower():
            return HttpResponse("No bots, please.", status=403)
        return self.get_response(request)
""",
    hints=(
        "Return a response from `__call__` before calling `self.get_response(request)`: nothing below runs.",
        "`request.headers.get('User-Agent', '')` is '' when the header is missing.",
        "Compare in lower case: `'bot' in user_agent.lower()`.",
    ),
    mistakes={
        """from django.http import HttpResponse


class NoBotsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "bot" in request.headers.get("User-Agent", "").lower():
            return HttpResponse("No bots, please.", status=403)
        return response
""": "still ran for the bot",
        """from django.http import HttpResponse


class NoBotsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "bot" in request.headers.get("User-Agent", ""):
            return HttpResponse("No bots, please.", status=403)
        return self.get_response(request)
""": "compare in lower case",
        """from django.http import HttpResponse


class NoBotsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "bot" in request.headers["User-Agent"].lower():
            return HttpResponse("No bots, please.", status=403)
        return self.get_response(request)
""": "without a User-Agent header raised KeyError",
    },
)


@bots.check("A bot gets a 403 and nothing below it runs")
def bots_refused(attempt):
    response = through(BOTS_STACK, "/hello/", headers={"User-Agent": "FriendlyBot/1.0"})
    if response.status_code != 403:
        raise Fail(f"A bot got {response.status_code}: return HttpResponse('No bots, please.', status=403).")
    if InnerLayer.seen or VIEW_CALLS:
        raise Fail(
            "The inner layer and the view still ran for the bot: return the 403 *before* calling "
            "get_response(request), so nothing below sees the request."
        )


@bots.check("Any case of 'bot' is refused")
def bots_any_case(attempt):
    response = through(BOTS_STACK, "/hello/", headers={"User-Agent": "GOOGLEBOT/2.1"})
    if response.status_code != 403:
        raise Fail("'GOOGLEBOT/2.1' got through: compare in lower case (user_agent.lower()).")


@bots.check("Browsers, and requests with no User-Agent, pass through")
def bots_others(attempt):
    for headers in ({"User-Agent": "Mozilla/5.0"}, {}):
        try:
            response = through(BOTS_STACK, "/hello/", headers=headers)
        except KeyError:
            raise Fail(
                "A request without a User-Agent header raised KeyError: read it with "
                "request.headers.get('User-Agent', '')."
            ) from None
        if response.status_code != 200 or InnerLayer.seen != ["/hello/"]:
            raise Fail(f"A request with {headers or 'no headers'} got {response.status_code}: only bots are refused.")


@bots.run
def bots_show(lab, attempt):
    show_response(lab, "GET /hello/ as a bot", BOTS_STACK, "/hello/", headers={"User-Agent": "FriendlyBot/1.0"})


# -- 02: process_view reads the view's kwargs -----------------------------------------------------

book_header = exercise(
    "middleware.view-kwargs",
    title="process_view: read the view's keyword arguments",
    lesson="middleware/02-hooks",
    prompt=(
        "`/books/<int:pk>/` is routed to a view with a `pk` keyword argument. Make `BookHeaderMiddleware` add "
        "`X-Book-Id: <pk>` to that view's responses, and no `X-Book-Id` to any other page. The URL is "
        "resolved *after* every `__call__` has started, so `request.resolver_match` is still `None` before "
        "`get_response`: Django hands the view and its kwargs to `process_view`."
    ),
    starter="""class BookHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pk = request.resolver_match.kwargs.get("pk")
        response = self.get_response(request)
        if pk is not None:
            response["X-Book-Id"] = str(pk)
        return response
""",
    solution="""class BookHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pk = getattr(request, "book_id", None)
        if pk is not None:
            response["X-Book-Id"] = str(pk)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.book_id = view_kwargs.get("pk")
        return None  # let Django call the view
""",
    hints=(
        "Add a method `process_view(self, request, view_func, view_args, view_kwargs)`.",
        "Keep the pk on the request (`request.book_id = ...`): one middleware instance serves every request.",
        "Return None from process_view so the view still runs; add the header in __call__ after get_response.",
    ),
    mistakes={
        """class BookHeaderMiddleware:
    book_id = None

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.book_id is not None:
            response["X-Book-Id"] = str(self.book_id)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "pk" in view_kwargs:
            self.book_id = view_kwargs["pk"]
""": "keep per-request data on request, not on self",
        """from django.http import HttpResponse


class BookHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pk = getattr(request, "book_id", None)
        if pk is not None:
            response["X-Book-Id"] = str(pk)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.book_id = view_kwargs.get("pk")
        return HttpResponse()
""": "process_view must return None",
    },
)

BOOK_STACK = ["learner.BookHeaderMiddleware"]


@book_header.check("/books/7/ gets X-Book-Id: 7, and the view still runs")
def book_header_set(attempt):
    try:
        response = through(BOOK_STACK, "/books/7/")
    except AttributeError as exc:
        if "NoneType" in str(exc):
            raise Fail(
                "request.resolver_match is None in __call__ before get_response(): the URL is resolved later. "
                "Read the kwargs in process_view."
            ) from None
        raise
    if VIEW_CALLS != ["book_detail"] or response.content != b"book 7":
        raise Fail("The view did not run: process_view must return None to let Django call the view.")
    if response.get("X-Book-Id") != "7":
        raise Fail(f"X-Book-Id is {response.get('X-Book-Id')!r}, expected '7': set it from view_kwargs['pk'].")


@book_header.check("A page without a pk gets no X-Book-Id, even right after a book")
def book_header_absent(attempt):
    with override_settings(MIDDLEWARE=BOOK_STACK, ROOT_URLCONF=URLCONF, ALLOWED_HOSTS=["testserver"]):
        client = Client()  # one handler, one middleware instance, for both requests: as on a server
        client.get("/books/7/")
        response = client.get("/hello/")
    if "X-Book-Id" in response:
        raise Fail(
            f"/hello/ has no pk, yet it got X-Book-Id: {response['X-Book-Id']} from the request before: "
            "keep per-request data on request, not on self."
        )


@book_header.run
def book_header_show(lab, attempt):
    show_response(lab, "GET /books/7/ through BookHeaderMiddleware", BOOK_STACK, "/books/7/")
