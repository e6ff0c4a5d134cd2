"""Middleware exercises, lessons 03-04: an exception turned into a JSON 500, and a layer put in its place.

Checks send real requests with Django's test Client through real middleware (Django's session and
authentication layers included) to the small site in `exercises.middleware_urls`.
"""

from django.core.exceptions import ImproperlyConfigured

from lab.exercises import Fail, exercise

from .middleware_basics import show_response
from .middleware_urls import through

# -- 03: process_exception answers JSON -----------------------------------------------------------

json_errors = exercise(
    "middleware.json-500",
    title="process_exception: turn an API view's exception into a JSON 500",
    lesson="middleware/03-errors",
    prompt=(
        "When a view under `/api/` raises, `JsonErrorsMiddleware` must answer with status **500** and the "
        'JSON `{"error": "<the exception\'s class name>", "detail": "<its message>"}`. Views elsewhere '
        "keep Django's own error handling, and views that work are untouched. The checks request "
        "`/api/boom/` and `/boom/`, whose view raises `ValueError('the view failed')`."
    ),
    starter="""from django.http import JsonResponse


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except Exception as exc:
            return JsonResponse({"error": type(exc).__name__, "detail": str(exc)}, status=500)
""",
    solution="""from django.http import JsonResponse


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None  # Django's own 500 for pages
        return JsonResponse({"error": type(exception).__name__, "detail": str(exception)}, status=500)
""",
    hints=(
        "Django turns a view's exception into a response before your `__call__` sees it: a try/except there "
        "never fires. Django offers the exception to `process_exception(self, request, exception)` first.",
        "Return a response from process_exception to answer with it; return None to let Django go on.",
        "`JsonResponse(data, status=500)`; `request.path.startswith('/api/')`.",
    ),
    mistakes={
        """from django.http import JsonResponse


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return JsonResponse({"error": type(exception).__name__, "detail": str(exception)}, status=500)
""": "is not an API path",
        """from django.http import JsonResponse


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return JsonResponse({"error": type(exception).__name__, "detail": str(exception)})
""": "came back with status 200",
    },
)

ERRORS_STACK = ["learner.JsonErrorsMiddleware"]


def errors_get(url):
    return through(ERRORS_STACK, url, raise_request_exception=False)


@json_errors.check("/api/boom/ answers a JSON 500")
def json_api(attempt):
    response = errors_get("/api/boom/")
    if response.get("Content-Type") != "application/json":
        raise Fail(
            "/api/boom/ got Django's own 500 page: your middleware never turned the exception into JSON. "
            "A try/except around get_response() never sees a view's exception (Django converts it into a "
            "response first): define process_exception(self, request, exception)."
        )
    if response.status_code != 500:
        raise Fail(f"The JSON error came back with status {response.status_code}: pass status=500.")
    want = {"error": "ValueError", "detail": "the view failed"}
    if response.json() != want:
        raise Fail(f"The JSON is {response.json()}, expected {want}: type(exception).__name__ and str(exception).")


@json_errors.check("Other pages keep Django's error handling; working views are untouched")
def json_others(attempt):
    response = errors_get("/boom/")
    if response.get("Content-Type") == "application/json":
        raise Fail(
            "/boom/ is not an API path, yet it got JSON: return None from process_exception unless "
            "request.path starts with '/api/'."
        )
    ok = errors_get("/hello/")
    if ok.status_code != 200 or ok.content != b"hello":
        raise Fail(f"/hello/ answered {ok.status_code}: a view that works must pass through unchanged.")


@json_errors.run
def json_show(lab, attempt):
    show_response(lab, "GET /api/boom/ (its view raises)", ERRORS_STACK, "/api/boom/", raise_request_exception=False)


# -- 04: a layer in the right place ---------------------------------------------------------------

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
GREETING = "learner.GreetingMiddleware"
GREETING_CLASS = '''class GreetingMiddleware:
    """Greets the user by name: it reads request.user, which AuthenticationMiddleware sets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.user.get_username() or "anonymous"
        response = self.get_response(request)
        response["X-Greeting"] = f"Hello, {name}"
        return response


'''

order = exercise(
    "middleware.right-place",
    title="Put a middleware in the right place in the stack",
    lesson="middleware/04-ordering",
    prompt=(
        "`GreetingMiddleware` reads `request.user`. Write `MIDDLEWARE`, the list Django builds the stack from, "
        f"with exactly `{SESSION}`, `{AUTH}` and `{GREETING}` (your class, by its dotted path), in an order "
        "where every layer finds what it needs. The checks send a request through it with the test Client."
    ),
    starter=GREETING_CLASS + f"MIDDLEWARE = [\n    {GREETING!r},\n    {AUTH!r},\n    {SESSION!r},\n]\n",
    solution=GREETING_CLASS + f"MIDDLEWARE = [\n    {SESSION!r},\n    {AUTH!r},\n    {GREETING!r},\n]\n",
    hints=(
        "The request phase runs top-down: a layer sees only what the layers above it added to the request.",
        "AuthenticationMiddleware reads request.session, so SessionMiddleware goes above it.",
        "GreetingMiddleware reads request.user, so it goes below AuthenticationMiddleware.",
    ),
    mistakes={
        GREETING_CLASS
        + f"MIDDLEWARE = [{SESSION!r}, {GREETING!r}, {AUTH!r}]\n": "put it below AuthenticationMiddleware",
        GREETING_CLASS + f"MIDDLEWARE = [{AUTH!r}, {SESSION!r}, {GREETING!r}]\n": "needs SessionMiddleware above it",
        GREETING_CLASS + f"MIDDLEWARE = [{SESSION!r}, {GREETING!r}]\n": "must list exactly",
    },
)


@order.check("MIDDLEWARE lists the three layers")
def order_layers(attempt):
    stack = list(getattr(attempt.learner, "MIDDLEWARE", []))
    if sorted(stack) != sorted([SESSION, AUTH, GREETING]):
        raise Fail(f"MIDDLEWARE must list exactly {SESSION}, {AUTH} and {GREETING}; yours is {stack}.")


@order.check("A request through the stack gets its greeting")
def order_works(attempt):
    try:
        response = through(list(attempt.learner.MIDDLEWARE), "/hello/")
    except ImproperlyConfigured as exc:
        raise Fail(f"AuthenticationMiddleware needs SessionMiddleware above it. Django says: {exc}") from None
    except AttributeError as exc:
        if "user" not in str(exc):
            raise
        raise Fail(
            "GreetingMiddleware read request.user before AuthenticationMiddleware set it: "
            "put it below AuthenticationMiddleware."
        ) from None
    if response.get("X-Greeting") != "Hello, anonymous":
        raise Fail(f"X-Greeting is {response.get('X-Greeting')!r}, expected 'Hello, anonymous'.")


@order.run
def order_show(lab, attempt):
    show_response(lab, "GET /hello/ through your MIDDLEWARE", list(attempt.learner.MIDDLEWARE), "/hello/")
