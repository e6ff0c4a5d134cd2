"""Send a real request through a real middleware stack, and record every layer.

`LabHandler` is Django's own `BaseHandler` with one difference: it reads its
middleware list from the instance instead of `settings.MIDDLEWARE`, so each
demo run builds its own stack (learners never touch each other's, and global
settings never change). `load_middleware` below mirrors
`django.core.handlers.base.BaseHandler.load_middleware` line for line; the
only addition is a `TracedLayer` around each middleware instance, which
records the layer going in, coming out, the status it saw and the headers it
added or changed, plus each `process_*` hook call.

    response = send(["sandbox.example_middleware.A", "sandbox.example_middleware.B"], "/sandbox/ping/")
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler, logger
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.test import AsyncRequestFactory, RequestFactory
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.module_loading import import_string

from .events import TraceEvent
from .recorder import active, format_exception_line
from .trace import TracedLayer, _mode_note, _record, response_headers, short_name

Factory = Callable[[Callable[..., Any]], Any]
StackItem = str | tuple[str, Factory]


class LabHandler(BaseHandler):
    """Django's request handler with a middleware list of its own."""

    def __init__(self, stack: Iterable[StackItem]):
        # Before super().__init__(): ASGIHandler's builds the chain there (see LabASGIHandler).
        self.stack: list[tuple[str, Factory]] = [
            (item, import_string(item)) if isinstance(item, str) else item for item in stack
        ]
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # Mirrors django.core.handlers.base.BaseHandler.load_middleware (Django 5.2),
        # iterating self.stack instead of settings.MIDDLEWARE and tracing each layer.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []

        get_response = self._traced_core_async if is_async else self._traced_core
        handler = convert_exception_to_response(get_response)
        handler_is_async = is_async
        for middleware_path, middleware in reversed(self.stack):
            middleware_can_sync = getattr(middleware, "sync_capable", True)
            middleware_can_async = getattr(middleware, "async_capable", False)
            if not middleware_can_sync and not middleware_can_async:
                raise RuntimeError(
                    f"Middleware {middleware_path} must have at least one of sync_capable/async_capable set to True."
                )
            elif not handler_is_async and middleware_can_sync:  # noqa: RET506 (as in Django)
                middleware_is_async = False
            else:
                middleware_is_async = middleware_can_async
            name = short_name(middleware_path)
            try:
                adapted_handler = self.adapt_method_mode(
                    middleware_is_async,
                    handler,
                    handler_is_async,
                    debug=settings.DEBUG,
                    name=f"middleware {middleware_path}",
                )
                mw_instance = middleware(adapted_handler)
            except MiddlewareNotUsed as exc:
                if settings.DEBUG:
                    logger.debug("MiddlewareNotUsed(%r): %s", middleware_path, exc)
                _record(name, "init", note=f"MiddlewareNotUsed: {exc}" if str(exc) else "MiddlewareNotUsed")
                continue
            else:
                handler = adapted_handler
            _record(name, "init", note=_mode_note(middleware_is_async, handler_is_async))

            if mw_instance is None:
                raise ImproperlyConfigured(f"Middleware factory {middleware_path} returned None.")
            layer = TracedLayer(name, mw_instance, show_threads=is_async)

            if hasattr(mw_instance, "process_view"):
                self._view_middleware.insert(0, self.adapt_method_mode(is_async, layer.process_view))
            if hasattr(mw_instance, "process_template_response"):
                self._template_response_middleware.append(
                    self.adapt_method_mode(is_async, layer.process_template_response)
                )
            if hasattr(mw_instance, "process_exception"):
                # The exception-handling stack is still always synchronous (Django's comment).
                self._exception_middleware.append(self.adapt_method_mode(False, layer.process_exception))

            handler = convert_exception_to_response(layer)
            handler_is_async = middleware_is_async

        handler = self.adapt_method_mode(is_async, handler, handler_is_async)
        self._middleware_chain = handler

    def _traced_core(self, request: HttpRequest) -> HttpResponseBase:
        _record("view", "in", note="URL resolution, process_view hooks, the view")
        with watching_view_body(request):
            response = self._get_response(request)
        response._lab_headers = response_headers(response)
        _record("view", "out", status=response.status_code, added=dict(response._lab_headers))
        return response

    async def _traced_core_async(self, request: HttpRequest) -> HttpResponseBase:
        _record("view", "in", note="URL resolution, process_view hooks, the view (async)")
        response = await self._get_response_async(request)
        response._lab_headers = response_headers(response)
        _record("view", "out", status=response.status_code, added=dict(response._lab_headers))
        return response


class LabASGIHandler(LabHandler, ASGIHandler):
    """Django's ASGIHandler with a middleware list of its own, traced: an ASGI application any server can serve.

    Its chain is built async (`load_middleware(is_async=True)`) when it is
    created, as ASGIHandler's is; each request then runs in Django's
    ThreadSensitiveContext, so thread hops are the ones a real deployment makes.
    """


@contextmanager
def watching_view_body(request: HttpRequest) -> Iterator[None]:
    """Record a "ran" event each time the resolved view's own function body runs.

    A decorator such as `cache_page` answers a hit without calling the view it
    wraps; watching the innermost function's code object (with a profile hook in
    this thread, only while a run is recording) tells a hit from a miss without
    the view having to count itself.
    """
    recorder = active()
    if recorder is None:
        yield
        return
    try:  # resolved here as the handler will, to find the view function below its decorators
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        yield
        return
    watched = getattr(request, "lab_watch", None) or [inspect.unwrap(match.func)]
    codes = {fn.__code__: fn.__name__ for fn in watched if hasattr(fn, "__code__")}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in codes:
            _record(codes[frame.f_code], "ran", note="the view's own code ran")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


def view_runs(events: Iterable[TraceEvent], view: str) -> int:
    """How many times the view function called `view` ran, from a run's (or a step's) trace."""
    return sum(1 for e in events if e.phase == "ran" and e.layer == view)


def lab_host() -> str:
    """A host name this site accepts: RequestFactory's "testserver" fails ALLOWED_HOSTS in a classroom."""
    return next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "testserver")


def build_request(
    path: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    data: Any = None,
    asynchronous: bool = False,
    urlconf: str | None = None,
) -> HttpRequest:
    factory = AsyncRequestFactory() if asynchronous else RequestFactory()
    if cookies:
        factory.cookies.load(cookies)
    headers = {"Host": lab_host(), **(headers or {})}
    # AsyncRequestFactory always sends `host: testserver`; a second Host header would be joined to it with a comma.
    host = headers.pop("Host") if asynchronous else None
    request = factory.generic(method, path, data=data or "", headers=headers)
    if host:
        request.META["HTTP_HOST"] = host
    if urlconf:
        request.urlconf = urlconf
    return request


def send(
    stack: Iterable[StackItem],
    path: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    data: Any = None,
    urlconf: str | None = None,
    handler: LabHandler | None = None,
    watch: Iterable[Callable[..., Any]] = (),
) -> HttpResponseBase:
    """Build `stack` like Django does and send one real request through it.

    Pass a `handler` (from `make_handler`) to send several requests through one
    stack: its middleware is built once, as in a server process. Each run of
    the view's own function is recorded ("ran"; see `view_runs`); pass `watch`
    to watch other functions instead (a view the resolved one calls).

    Don't call `response.close()` inside a run: it sends `request_finished`,
    whose `close_old_connections` receiver closes the run's database
    connection mid-transaction (close a file response's file itself instead).
    """
    handler = handler or make_handler(stack)
    request = build_request(path, method, headers=headers, cookies=cookies, data=data, urlconf=urlconf)
    request.lab_watch = list(watch)
    # LocaleMiddleware activates the request's language for the thread and nothing switches it back: keep
    # it to this request, or the thread's next work (another learner's run) speaks French.
    with translation.override(translation.get_language()):
        response = handler.get_response(request)
    response.lab_request = request  # so a report can show the request headers really sent
    _stop_if_out_of_time()
    return response


def _stop_if_out_of_time() -> None:
    """A time-out inside the view became that request's 500 response; stop the demo's loop here too."""
    recorder = active()
    if recorder is not None:
        recorder.check_time()


def make_handler(stack: Iterable[StackItem], is_async: bool = False) -> LabHandler:
    handler = LabHandler(stack)
    handler.load_middleware(is_async=is_async)
    return handler


async def asend(
    stack: Iterable[StackItem],
    path: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    urlconf: str | None = None,
) -> HttpResponseBase:
    """The same through the async path, as Django's ASGIHandler runs it."""
    handler = make_handler(stack, is_async=True)
    request = build_request(path, method, headers=headers, cookies=cookies, asynchronous=True, urlconf=urlconf)
    response = await handler.get_response_async(request)
    response.lab_request = request
    _stop_if_out_of_time()
    return response


def body_of(response: HttpResponseBase) -> bytes:
    """The body, streaming or not (a streaming body can be read only once)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def record_request_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception fires inside Django's except block, so sys.exc_info() is the exception."""
    exc = sys.exc_info()[1]
    if exc is not None:
        _record("handler", "exception", note=format_exception_line(exc))
