"""Hostile input, everywhere a learner can send some: never a 500, never a traceback, never raw markup.

Every registered demo gets hostile values in every field, through the real run
view, with and without htmx (the no-JS path also sends a `lesson` field). Every
URL pattern under /sandbox/ gets junk query strings and path arguments; lesson URLs
get traversal attempts. Values are sampled per field type, not combined, so the
whole file stays fast.
"""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lab import registry

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = '<script>alert("lab-xss")</script>'
IMG = '"><img src=x onerror=alert("lab-xss")>'
RAW_MARKUP = ("<script>alert(", "<img src=x onerror")
# A traceback or Django's debug page (lessons do show Django's source paths, so those are not a leak).
TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+, in |Exception Value:')

TEXT = [
    "",
    "   \t\n ",
    "x" * 10_000,
    "nul\x00byte",
    "\u202eRTL\u202c 😀 ñ 漢字",
    SCRIPT,
    IMG,
    "' OR 1=1; DROP TABLE sandbox_book; --",
    '%s %(x)s {0} \\" `',
]
NUMBERS = ["-1", "-99999999999999999999", "1e308", "1.5", "1e-9", "NaN", "inf", "9" * 40, "0x10", "²"]
LISTS = [["1", "2"], [SCRIPT, "<b>"]]


def samples(field: forms.Field) -> list[Any]:
    """A handful of hostile values for one field, chosen by what the field expects."""
    if isinstance(field, forms.BooleanField):
        return [SCRIPT, ["on", "off"]]  # any non-empty value is True: each of these runs the demo
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return NUMBERS + [SCRIPT, "", "x" * 10_000, ["1", "2"]]
    if isinstance(field, forms.ChoiceField):  # choices, model choices, multiple choices
        return [SCRIPT, IMG, "", "x" * 10_000, "nul\x00byte", "-1", "9" * 40, *LISTS]
    return TEXT + LISTS


def demo_lessons() -> dict[str, str]:
    """A lesson path ("track/slug") that shows each demo, for the no-JS path."""
    from lessons.catalogue import get_catalogue

    catalogue = get_catalogue()
    found = {}
    for demo in registry.all_demos():
        uses = catalogue.demo_uses(demo.slug)
        if uses:
            found[demo.slug] = uses[0].key
    return found


def defaults(demo: registry.Demo) -> dict[str, Any]:
    """The form's initial values, as a browser would post them."""
    return demo.post_data()


def check(response, posted: Any = None) -> str:
    assert response.status_code in {200, 400, 429}, (response.status_code, repr(posted)[:200])
    body = response.content.decode(errors="replace")
    assert not TRACEBACK.search(body), repr(posted)[:200]
    for raw in RAW_MARKUP:
        assert raw not in body, f"unescaped {raw!r} echoed for {repr(posted)[:200]}"
    # A hostile value that passes validation must still give a clean run, not a crashed demo.
    assert "The demo failed unexpectedly" not in body, (repr(posted)[:200], body[:2000])
    return body


@pytest.fixture
def lab_client(seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    # Some demos send requests that fail on purpose; the test client would re-raise those as the outer
    # request's error. A real 500 of the outer request still shows up as its status code.
    return Client(raise_request_exception=False)


DEMOS = registry.all_demos()


@pytest.mark.parametrize("demo", DEMOS, ids=[d.slug for d in DEMOS])
def test_every_field_of_every_demo_survives_hostile_values(lab_client, demo):
    lessons = demo_lessons()
    base = defaults(demo)
    htmx = itertools.cycle([True, False])
    lesson_paths = itertools.cycle([lessons.get(demo.slug, ""), "../../etc/passwd", "", "x" * 5000])
    url = f"/demos/{demo.slug}/run/"
    for name, field in demo.form().fields.items():
        for value in samples(field):
            data = {**base, name: value}
            if next(htmx):
                response = lab_client.post(url, data, **HTMX)
            else:
                response = lab_client.post(url, {**data, "lesson": next(lesson_paths)})
            check(response, (name, value))


@pytest.mark.parametrize("demo", DEMOS, ids=[d.slug for d in DEMOS])
def test_unknown_fields_and_junk_receivers_are_ignored(lab_client, demo):
    lesson = demo_lessons().get(demo.slug, "")
    junk = {
        "disabled_receivers": [SCRIPT, "os.system", "", "x" * 10_000, "sandbox.receivers.nope"],
        "unknown": SCRIPT,
        "csrfmiddlewaretoken": IMG,
    }
    url = f"/demos/{demo.slug}/run/"
    body = check(lab_client.post(url, {**defaults(demo), **junk}, **HTMX), junk)
    assert f'data-report-for="{demo.slug}"' in body
    # Without JavaScript, with the lesson that shows the demo, then with a lesson that does not exist.
    for path in (lesson, "nope/../../secret"):
        check(lab_client.post(url, {**defaults(demo), **junk, "lesson": path}), path)


def test_demo_run_urls_with_hostile_slugs_are_404(lab_client):
    for slug in ("..", "%2e%2e", "..%2F..%2Fetc", "x" * 5000, "orm.lazy%00", "ORM.LAZY", "😀", "orm..lazy"):
        assert lab_client.post(f"/demos/{slug}/run/", **HTMX).status_code == 404, slug


# -- /sandbox/ endpoints ------------------------------------------------------------------------------

JUNK_QUERIES = [
    "",
    "?a=<script>&b=%00&c=" + "x" * 5000,
    "?report=revenue&year=-1",
    "?report=<script>&year=1e9",
    "?" + urlencode({"report": SCRIPT, "next": IMG, "q": SCRIPT}),
    "?page=-1&n=99999999999999999999&limit=NaN&id=1.5&pk=%27%20OR%201%3D1",
    "?report=best-sellers&year=2024",
    "?q=%E2%80%AE%F0%9F%98%80&q=2",
]
JUNK_ARGS = ["0", "-1", "99999999999999999999", "<script>", "%2e%2e", "x" * 500, "😀", "1.5"]


def lab_routes() -> list[str]:
    """Every URL pattern under /sandbox/, as a path with `{}` where each argument goes."""
    routes = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                routes.append(prefix + route)

    walk(get_resolver().url_patterns, "/")
    lab = [r for r in routes if r.startswith("/sandbox/")]
    assert len(lab) > 5
    return [re.sub(r"<(?:\w+:)?\w+>", "{}", r).replace("^", "").replace("$", "") for r in lab]


# Endpoints that fail on purpose, so a demo can show what the layers above do with the exception.
FAILS_ON_PURPOSE = {"/sandbox/middleware/boom/"}


def test_every_lab_url_survives_junk_queries_and_arguments(lab_client):
    for route in lab_routes():
        if route in FAILS_ON_PURPOSE:
            response = lab_client.get(route + JUNK_QUERIES[1])
            assert response.status_code == 500
            assert not TRACEBACK.search(response.content.decode(errors="replace"))
            continue
        holes = route.count("{}")
        args = [JUNK_ARGS[0]] * holes
        paths = [route.format(*args)] + [route.format(*([junk] * holes)) for junk in JUNK_ARGS if holes]
        for path, query in itertools.product(paths, JUNK_QUERIES):
            response = lab_client.get(path + query)
            assert response.status_code < 500, (path, query, response.status_code)
            body = b"".join(response) if response.streaming else response.content
            body = body.decode(errors="replace")
            assert not TRACEBACK.search(body), (path, query)
            if response.get("Content-Type", "").startswith("text/html"):  # plain text is sent with nosniff
                assert not any(raw in body for raw in RAW_MARKUP), (path, query)


# -- lessons --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../",
        "/%2e%2e/",
        "/orm/%2e%2e/",
        "/orm/../../etc/passwd/",
        "/orm/..%2F..%2Fconfig%2Fsettings/",
        "/orm/%2e%2e%2f%2e%2e%2fREADME/",
        "/..%5C..%5C/x/",
        "/orm/" + "x" * 5000 + "/",
        "/" + "y" * 5000 + "/",
        "/orm/%00/",
        "/orm/😀/",
        "/%E2%80%AE/lazy/",
        "/orm/_track/",
        "/orm/01-lazy/",
    ],
)
def test_hostile_lesson_urls_are_404(lab_client, path):
    response = lab_client.get(path)
    assert response.status_code == 404, path
    assert not TRACEBACK.search(response.content.decode(errors="replace"))


def test_writes_to_read_only_pages_are_405(lab_client):
    from lessons.catalogue import get_catalogue

    catalogue = get_catalogue()
    lesson = catalogue.lessons[0]
    pages = ["/", catalogue.tracks[0].url, lesson.url, "/demos/", "/sandbox/ping/"]
    for page, method in itertools.product(pages, ("post", "put", "delete", "patch")):
        assert getattr(lab_client, method)(page).status_code == 405, (method, page)
