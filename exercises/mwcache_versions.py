"""Version switch for middleware lesson 4 and caching lesson 5: the same exercise on Django 5.2 and 6.1.

- `middleware.csp-header`: a Content-Security-Policy header from a middleware of your own (any version) or
  from Django 6.0's `ContentSecurityPolicyMiddleware`, which Django 5.2 does not have.
- `caching.fragment-pairs`: a fragment varying on two values; Django 6.1 hashes vary_on values as netstrings,
  so values containing ':' no longer share a key, as they do on 5.2.

The module is also the URLconf the CSP checks send their requests to (`urlpatterns` below).
"""

from functools import partial
from hashlib import md5

import django
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from lab.exercises import Fail, exercise

from .caching_kit import a_fresh_cache

HAS_CSP_MIDDLEWARE = django.VERSION >= (6, 0)  # Django 6.0 adds django.middleware.csp
NETSTRING_KEYS = django.VERSION >= (6, 1)  # Django 6.1 hashes each vary_on value as a netstring

# -- middleware/04: a Content-Security-Policy header ----------------------------------------------

HEADER = "Content-Security-Policy"
POLICY = "default-src 'self'; img-src 'self' https://covers.example"
VIEW_POLICY = "default-src 'none'"
BUILT_IN = "django.middleware.csp.ContentSecurityPolicyMiddleware"
BUILT_IN_CSP = {"default-src": ["'self'"], "img-src": ["'self'", "https://covers.example"]}
URLCONF = "exercises.mwcache_versions"


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


# -- caching/05: a fragment that varies on two values ---------------------------------------------

PAIRS = (("Dune:Messiah", "Emma"), ("Dune", "Messiah:Emma"))  # str() joined with ':' they are the same text
PAIR_CODE = '''from django.template import engines

TEMPLATE = """{%% load cache %%}{%% cache 300 also_liked %s %%}
Readers of {{ book.title }} also liked {{ other.title }} ({{ other.price }}).
{%% endcache %%}"""


def render_pair(book, other):
    return engines["django"].from_string(TEMPLATE).render({"book": book, "other": other})
'''

pairs = exercise(
    "caching.fragment-pairs",
    title="A fragment per pair of books, on Django 5.2 and 6.1",
    lesson="caching/05-fragments",
    prompt=(
        "`render_pair(book, other)` renders *Readers of A also liked B* through a `{% cache %}` fragment, but "
        "every pair shows the first pair's text. Make **each pair of books** get its own fragment, on Django 5.2 "
        "and on 6.1. Titles are free text: the checks render the books titled "
        f"`{PAIRS[0][0]}` and `{PAIRS[0][1]}`, then `{PAIRS[1][0]}` and `{PAIRS[1][1]}`.\n\n"
        "Try varying on the titles, then press **Both, side by side**: the run shows the fragment key each "
        "version makes from the same values."
    ),
    starter=PAIR_CODE % "",
    solution=PAIR_CODE % "book.pk other.pk",
    hints=(
        "Every argument after the fragment's name is a vary_on value: each distinct combination gets its own copy.",
        "Django 5.2 hashes str() of each value followed by ':', so a ':' inside a title can make two pairs one key.",
        "Vary on values that cannot contain the separator and are unique: `{% cache 300 also_liked book.pk "
        "other.pk %}`.",
    ),
    # Django 6.1 writes each value as a netstring: titles with a ':' no longer collide there.
    mistakes={} if NETSTRING_KEYS else {PAIR_CODE % "book.title other.title": "share one fragment key"},
    versions=("5.2", "6.1"),
)


def _books():
    """The four books of the two pairs (created in the attempt's rolled-back transaction)."""
    from sandbox.models import Book, Publisher

    publisher = Publisher.objects.create(name="Pairs Press")
    made = {}
    for title in {title for pair in PAIRS for title in pair}:
        made[title] = Book.objects.create(title=title, price=10, pages=100, rating=4, publisher=publisher)
    return [(made[a], made[b]) for a, b in PAIRS]


@pairs.check("Each pair of books gets its own fragment")
def pairs_distinct(attempt):
    first, second = _books()
    with a_fresh_cache():
        attempt.learner.render_pair(*first)
        html = attempt.learner.render_pair(*second)
    want = [book.title for book in second]
    if not all(title in html for title in want):
        raise Fail(
            f"render_pair for {want} showed {' '.join(html.split())!r}: the two pairs share one fragment key on "
            f"Django {django.get_version()}. "
            + (
                "Every argument after the fragment's name is a vary_on value; on Django 6.1 each is hashed as a "
                "netstring, so even titles with ':' give distinct keys. The pks are the safest choice on every "
                "version: {% cache 300 also_liked book.pk other.pk %}."
                if NETSTRING_KEYS
                else "Every argument after the fragment's name is a vary_on value, and Django 5.2 hashes them as "
                "str() joined with ':', so titles containing ':' can make two pairs one key. Vary on values that "
                "are unique and contain no ':': {% cache 300 also_liked book.pk other.pk %}."
            )
        )


@pairs.check("A pair rendered again is served from the cache")
def pairs_cached(attempt):
    from sandbox.models import Book

    first, _ = _books()
    book, other = first
    with a_fresh_cache():
        attempt.learner.render_pair(book, other)
        Book.objects.filter(pk=other.pk).update(price=99)
        html = attempt.learner.render_pair(book, Book.objects.get(pk=other.pk))
    if "99" in html:
        raise Fail(
            "The second render of the same pair showed the new price: it rendered again instead of coming from "
            "the cache. Keep the {% cache %} block around it."
        )


def netstring(values):
    return "".join(f"{len(str(v).encode())}:{v}," for v in values)


def colon_joined(values):
    return "".join(f"{v}:" for v in values)


def hashed_as(key, values):
    """Which encoding of `values` the md5 in Django's fragment `key` was computed from (tested, not assumed)."""
    digest = key.rsplit(".", 1)[1]
    for name, text in (("netstring", netstring(values)), ("colon-joined", colon_joined(values))):
        if md5(text.encode(), usedforsecurity=False).hexdigest() == digest:
            return f"{name}: {text!r}"
    return "neither encoding"


def fragment_keys(values_a, values_b):
    from django.core.cache.utils import make_template_fragment_key

    return make_template_fragment_key("also_liked", values_a), make_template_fragment_key("also_liked", values_b)


@pairs.run
def pairs_show(lab, attempt):
    first, second = _books()
    with a_fresh_cache():
        for key, (book, other) in (("first", first), ("second", second)):
            step = lab.step(
                f"render_pair({book.title!r}, {other.title!r})",
                partial(attempt.learner.render_pair, book, other),
                key=key,
            )
            step.fact("html", " ".join(step.result.split()), "Rendered")
    keys = lab.step(
        f"The fragment keys of the two pairs' titles, {list(PAIRS[0])} and {list(PAIRS[1])}",
        partial(fragment_keys, list(PAIRS[0]), list(PAIRS[1])),
        key="keys",
    )
    key_a, key_b = keys.result
    keys.fact("django", django.get_version(), "Django")
    keys.fact("key_a", key_a, f"Key of {list(PAIRS[0])}")
    keys.fact("key_b", key_b, f"Key of {list(PAIRS[1])}")
    keys.fact("hashed_a", hashed_as(key_a, PAIRS[0]), f"Django hashed {list(PAIRS[0])} as")
    keys.fact("same_key", key_a == key_b, "Same key")
    second_html = lab.get("second").facts["html"]
    lab.headline(
        f"Django {django.get_version()}: {list(PAIRS[0])} and {list(PAIRS[1])} "
        f"{'share one fragment key' if key_a == key_b else 'get different fragment keys'}; "
        f"your second pair rendered {second_html!r}",
        focus=keys,
    )
