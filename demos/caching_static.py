"""Caching track, lesson 7: static files, the cache every site gets from its static file server.

The demo sends real requests for the site's copy of htmx through WhiteNoise,
configured from this site's settings as it is in `MIDDLEWARE`, and reports the
Cache-Control it really gets in the mode the site runs in now:

- development (DEBUG=True): files come straight from the app folders and may
  change at any moment, so WhiteNoise says `max-age=0` and browsers revalidate;
- classroom (DEBUG=False, after `collectstatic` with a manifest storage): the
  `{% static %}` URL names a copy whose name contains a hash of its content, so
  it can never change and WhiteNoise lets browsers keep it for ten years.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from whitenoise.middleware import WhiteNoiseFileResponse

from lab.handler import body_of, make_handler
from lab.registry import Prediction, demo

from .caching_kit import answer_of, middleware_code, send_in

WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
FILE = "vendor/htmx.min.js"
SHOWN = ("Cache-Control", "ETag", "Last-Modified", "Content-Length", "Content-Encoding", "Vary")
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what every browser sends: WhiteNoise may pick a compressed copy


def mode() -> str:
    return "development (DEBUG=True)" if settings.DEBUG else "classroom (DEBUG=False)"


def close_file(response) -> None:
    """Close the file WhiteNoise opened.

    Not `response.close()`: that also sends `request_finished`, whose Django
    receiver closes the database connection, and with it this run's transaction.
    """
    file = getattr(response, "file_to_stream", None)
    if file is not None:
        file.close()


def get(lab, label: str, key: str, handler, url: str, headers: dict[str, str]):
    """One GET through WhiteNoise as a report step, with what came back."""
    with lab.section(label, key=key, code=middleware_code([WHITENOISE])) as step:
        response = send_in(step, [WHITENOISE], url, headers=headers, handler=handler)
        size = len(body_of(response))
        close_file(response)
        step.request_headers = dict(headers)
        step.response_headers = {k: v for k, v in response.items() if k in SHOWN}
        step.fact("status", response.status_code, "status")
        step.fact("served_by_whitenoise", isinstance(response, WhiteNoiseFileResponse), "served by WhiteNoise")
        step.fact("cache_control", response.get("Cache-Control"), "Cache-Control")
        step.fact("body_bytes", size, "body bytes")
    return step, response


@demo(
    "caching.static-files",
    title="Static files: the Cache-Control WhiteNoise really sends",
    description="Requests the site's htmx.min.js through WhiteNoise, configured from this site's settings, then "
    "revalidates it with its ETag, and reports the caching headers of the mode the site runs in now.",
    reports=("headers",),
    predictions=(
        Prediction(
            "The browser asks again with If-None-Match and the ETag it got. What status comes back?",
            ("200", "304"),
            answer=answer_of("revalidate", "status"),
            explain="The file has not changed, so its ETag matches: 304 Not Modified, with an empty body.",
            see="#static-files-and-the-browsers-cache",
        ),
    ),
)
def static_files(lab, data):
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    url = static(FILE)  # what a template's {% static %} gives: hashed by a manifest storage
    with lab.section("How this site serves static files now", key="mode") as step:
        step.fact("mode", mode(), "mode")
        step.fact("storage", storage.rsplit(".", 1)[-1], "staticfiles storage")
        step.fact("url", url, "{% static 'vendor/htmx.min.js' %}")
    handler = make_handler([WHITENOISE])  # one WhiteNoise, built once, as in a server process
    served, first = get(lab, f"GET {url}", "get_static", handler, url, BROWSER)
    if not served.facts["served_by_whitenoise"]:
        served.fact(
            "why",
            "WhiteNoise has no such file, so the request went on to the URLconf. With DEBUG=False it serves "
            "only what `collectstatic` copied to STATIC_ROOT: run `python manage.py collectstatic`.",
            "what to do",
        )
        lab.headline(f"{url}: {served.facts['status']}, not served by WhiteNoise: run collectstatic", focus=served)
        return
    get(
        lab,
        "Again, with If-None-Match: the browser revalidates its copy",
        "revalidate",
        handler,
        url,
        {**BROWSER, "If-None-Match": first.get("ETag", "")},
    )
    plain = settings.STATIC_URL.rstrip("/") + "/" + FILE
    if plain != url:
        get(lab, f"GET {plain}: the same file under its unhashed name", "get_plain", handler, plain, BROWSER)
    lab.headline(f"{url}: Cache-Control: {served.facts['cache_control']}, in {mode()}", focus=served)
