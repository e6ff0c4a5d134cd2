"""Version switch for middleware lesson 4: `middleware.csp-header`, a Content-Security-Policy header from a middleware
of your own (any version) or from Django 6.0's `ContentSecurityPolicyMiddleware`, which Django 5.2 does not have.

The module is also the URLconf the CSP checks send their requests to (`urlpatterns` below).
"""

from functools import partial

import django
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from lab.exercises import Fail, exercise

HAS_CSP_MIDDLEWARE = django.VERSION >= (6, 0)  # Django 6.0 adds django.middleware.csp

# -- middleware/04: a Content-Security-Policy header ----------------------------------------------

HEADER = "Content-Security-Policy"
POLICY = "default-src 'self'; img-src 'self' https://covers.example"
VIEW_POLICY = "default-src 'none'"
BUILT_IN = "django.middleware.csp.ContentSecurityPolicyMiddleware"
BUILT_IN_CSP = {"default-src": ["'self'"], "img-src": ["'self'", "https://covers.example"]}
URLCONF = "exercises.middleware_django6"


def page(request):
    return HttpResponse("<p>the shop</p>")


def own_policy(request):
    response = HttpResponse("<p>a page with its own policy</p>")
    response[HEADER] = VIEW_POLICY
    return response


urlpatterns = [path("page/", page), path("own-policy/", own_policy)]


def csp_get(stack, url, secure_csp=None):
    """One GET of `url` through the MIDDLEWARE `stack`, with SECURE_CSP set (Django 6.x's built-in reads it)."""
    with override_settings(
        MIDDLEWARE=list(stack),
        ROOT_URLCONF=URLCONF,
        ALLOWED_HOSTS=["testserver"],
        SECURE_CSP=dict(secure_csp or {}),
        SECURE_CSP_REPORT_ONLY={},
    ):
        return Client().get(url)


def learner_get(attempt, url):
    """A GET through the learner's MIDDLEWARE; an import that fails becomes a Fail naming the running version."""
    stack = list(getattr(attempt.learner, "MIDDLEWARE", []))
    try:
        return csp_get(stack, url, getattr(attempt.learner, "SECURE_CSP", {}))
    except ImportError as exc:
        if any(entry.startswith("django.middleware.csp") for entry in stack) and not HAS_CSP_MIDDLEWARE:
            raise Fail(
                f"{BUILT_IN} is new in Django 6.0; this run is Django {django.get_version()}, where importing it "
                f"fails ({type(exc).__name__}: {exc}). Write a middleware of your own that sets the header, or "
                "press 6.1 to try the built-in."
            ) from None
        raise Fail(f"A MIDDLEWARE entry could not be imported: {type(exc).__name__}: {exc}.") from None


OWN_MIDDLEWARE = f'''POLICY = "{POLICY}"


class CSPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
%s        return response


MIDDLEWARE = ["learner.CSPMiddleware"]
'''
BUILT_IN_CODE = f"""SECURE_CSP = {{
    "default-src": ["'self'"],
    "img-src": ["'self'", "https://covers.example"],
}}

MIDDLEWARE = ["{BUILT_IN}"]
"""

csp = exercise(
    "middleware.csp-header",
    title="A Content-Security-Policy header, on Django 5.2 and 6.1",
    lesson="middleware/04-ordering",
    prompt=(
        f"Every page of the shop must send `{HEADER}: {POLICY}`. A view that sets its own `{HEADER}` keeps it "
        f"(the checks request `/page/` and `/own-policy/`, whose view sends `{VIEW_POLICY}`). Write `MIDDLEWARE` "
        "(the checks send requests through exactly that list) and, if you use it, `SECURE_CSP`.\n\n"
        "A middleware of your own works on every version. Django 6.0 adds "
        f"`{BUILT_IN}`, configured by `SECURE_CSP`: try it too, and press **Both, side by side** to see what "
        "each version makes of it."
    ),
    starter=OWN_MIDDLEWARE % "        # add the header here, unless the view set one\n",
    solution=OWN_MIDDLEWARE % f"        if {HEADER!r} not in response:\n            response[{HEADER!r}] = POLICY\n",
    hints=(
        "On the way out, `response[name] = value` sets a header; `name in response` tells whether it is set.",
        'Set `response["Content-Security-Policy"] = POLICY` only `if "Content-Security-Policy" not in response`.',
        f"On Django 6.x, `MIDDLEWARE = [{BUILT_IN!r}]` with `SECURE_CSP` does the same: it also keeps a view's "
        "own header. Django 5.2 has no `django.middleware.csp`.",
    ),
    mistakes={
        OWN_MIDDLEWARE % f"        response[{HEADER!r}] = POLICY\n": "replaced the view's own policy",
        **({} if HAS_CSP_MIDDLEWARE else {BUILT_IN_CODE: "is new in Django 6.0"}),
    },
    versions=("5.2", "6.1"),
)


@csp.check("A page gets the policy")
def csp_page(attempt):
    response = learner_get(attempt, "/page/")
    got = response.get(HEADER)
    if got is None:
        raise Fail(
            f"/page/ came back without {HEADER}: set it on the response on the way out. With Django's "
            "built-in, SECURE_CSP must not be empty (an empty one adds no header)."
        )
    if got != POLICY:
        raise Fail(f"{HEADER} is {got!r}; expected {POLICY!r}.")


@csp.check("A view's own policy is kept")
def csp_view_keeps(attempt):
    got = learner_get(attempt, "/own-policy/").get(HEADER)
    if got != VIEW_POLICY:
        raise Fail(
            f"/own-policy/ sent {got!r}: your middleware replaced the view's own policy {VIEW_POLICY!r}. "
            f"Set the header only if {HEADER!r} is not in the response yet."
        )


def header_step(lab, label, key, get):
    """A recorded GET: its headers, and its CSP header as a fact (or the import error, on a version without it)."""
    step = lab.step(label, get, key=key, expect=ImportError)
    response = step.result
    if response is None:
        step.fact("csp", f"{step.error_type}: {step.error}", HEADER)
        return step, None
    step.response_headers = dict(response.items())
    step.fact("csp", response.get(HEADER), HEADER)
    return step, response.get(HEADER)


@csp.run
def csp_show(lab, attempt):
    stack = list(getattr(attempt.learner, "MIDDLEWARE", []))
    secure_csp = getattr(attempt.learner, "SECURE_CSP", {})
    _, yours = header_step(
        lab, "GET /page/ through your MIDDLEWARE", "yours", partial(csp_get, stack, "/page/", secure_csp)
    )
    built_in, theirs = header_step(
        lab,
        "GET /page/ through Django's ContentSecurityPolicyMiddleware, SECURE_CSP set to the same policy",
        "built_in",
        partial(csp_get, [BUILT_IN], "/page/", BUILT_IN_CSP),
    )
    built_in.fact("django", django.get_version(), "Django")
    shown = repr(theirs) if theirs is not None else f"no such middleware ({built_in.error_type})"
    lab.headline(
        f"Django {django.get_version()}: your MIDDLEWARE sent {HEADER} {yours!r}; Django's built-in: {shown}",
        focus=built_in,
    )
