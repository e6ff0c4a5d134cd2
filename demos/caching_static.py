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

from lab.handler import body_of, make_handler, send
from lab.registry import demo

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


def get(step, handler, url: str, headers: dict[str, str]):
    """Send one GET through WhiteNoise and put what came back in the step."""
    response = send([WHITENOISE], url, headers=headers, handler=handler)
    size = len(body_of(response))
    close_file(response)
    step.request_headers = dict(headers)
    step.response_headers = {k: v for k, v in response.items() if k in SHOWN}
    step.fact("status", response.status_code)
    step.fact("served by WhiteNoise", isinstance(response, WhiteNoiseFileResponse))
    step.fact("Cache-Control", response.get("Cache-Control"))
    step.fact("body bytes", size)
    return response


@demo(
    "caching.static-files",
    title="Static files: the Cache-Control WhiteNoise really sends",
    description="Requests the site's htmx.min.js through WhiteNoise, configured from this site's settings, then "
    "revalidates it with its ETag, and reports the caching headers of the mode the site runs in now.",
    reports=("headers",),
)
def static_files(lab, data):
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    url = static(FILE)  # what a template's {% static %} gives: hashed by a manifest storage
    with lab.step(
        "How this site serves static files now",
        code="settings.DEBUG\nsettings.STORAGES['staticfiles']['BACKEND']\n{% static 'vendor/htmx.min.js' %}",
    ) as step:
        step.fact("mode", mode())
        step.fact("staticfiles storage", storage.rsplit(".", 1)[-1])
        step.fact("{% static %} URL", url)
    with lab.step(f"GET {url}", code=f"send([{WHITENOISE!r}], {url!r})") as step:
        handler = make_handler([WHITENOISE])  # one WhiteNoise, built once, as in a server process
        first = get(step, handler, url, BROWSER)
        if not step.facts["served by WhiteNoise"]:
            step.note(
                "WhiteNoise has no such file, so the request went on to the URLconf. With DEBUG=False it serves "
                "only what `collectstatic` copied to STATIC_ROOT: run `python manage.py collectstatic`."
            )
            return
    etag = first.get("ETag", "")
    with lab.step("Again, with If-None-Match: the browser revalidates its copy") as step:
        get(step, handler, url, {**BROWSER, "If-None-Match": etag})
    plain = settings.STATIC_URL.rstrip("/") + "/" + FILE
    if plain != url:
        with lab.step(f"GET {plain}: the same file under its unhashed name") as step:
            get(step, handler, plain, BROWSER)
