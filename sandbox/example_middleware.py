"""Middleware the Middleware track experiments on: each class shows one behaviour.

`A`, `B` and `C` log every phase they see to the `sandbox.onion` logger
(`A.before`, `A.view`, `C.after status=200` …). Query parameters ask one of
them, by name, to misbehave, so a demo can show what each hook does:

    ?short_call=B   B answers in __call__ without calling get_response
    ?short_view=B   B's process_view returns a response: the view is skipped
    ?handle_exc=B   B's process_exception turns the view's error into a 200
    ?raise_in=B     B raises RuntimeError in __call__
    ?http404_in=B   B raises Http404 in __call__
"""

from __future__ import annotations

import logging
import threading

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware, sync_only_middleware
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger("sandbox.onion")


class LoggingMiddleware:
    """Logs each phase; `name` says which layer it is."""

    name = "?"

    def __init__(self, get_response, *, off: bool = False):
        logger.info("%s.__init__", self.name)
        if off:
            # Django drops this layer for the life of the handler: it never sees a request.
            raise MiddlewareNotUsed(f"{self.name} switched itself off.")
        self.get_response = get_response

    def asked(self, request: HttpRequest, action: str) -> bool:
        return request.GET.get(action) == self.name

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Before get_response the URL is not resolved yet: resolver_match is None here.
        logger.info("%s.before resolver_match=%s", self.name, request.resolver_match)
        if self.asked(request, "short_call"):
            response = HttpResponse(f"{self.name} answered without calling the layers below.\n")
        else:
            if self.asked(request, "raise_in"):
                raise RuntimeError(f"{self.name} failed in __call__")
            if self.asked(request, "http404_in"):
                raise Http404(f"{self.name} raised Http404")
            try:
                response = self.get_response(request)
            except Exception:
                # Never runs: Django turns every exception below into a response first.
                logger.info("%s.caught", self.name)
                raise
        logger.info("%s.after status=%s", self.name, response.status_code)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        logger.info("%s.view resolver_match=%s", self.name, request.resolver_match.view_name)
        if self.asked(request, "short_view"):
            return HttpResponse(f"{self.name}.process_view answered; the view never ran.\n")
        return None

    def process_exception(self, request, exception):
        logger.info("%s.exception %s", self.name, type(exception).__name__)
        if self.asked(request, "handle_exc"):
            return HttpResponse(f"{self.name} handled {type(exception).__name__}: {exception}\n")
        return None  # let the next layer up try

    def process_template_response(self, request, response):
        logger.info("%s.template_response", self.name)
        if response.context_data is not None and "touched" in response.context_data:
            response.context_data["touched"].append(self.name)
        return response  # returning None here is an error Django reports


class A(LoggingMiddleware):
    name = "A"


class B(LoggingMiddleware):
    name = "B"


class C(LoggingMiddleware):
    name = "C"


class CustomHeaderMiddleware:
    """The concept page's example, corrected: adds `X-Custom-Header` to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Code here runs on the way in, before the view and the layers below.
        response = self.get_response(request)
        # Code here runs on the way out, after the view.
        response["X-Custom-Header"] = "Value"
        return response


def custom_header_middleware(get_response):
    """The same middleware as a function factory: the closure is the per-request callable."""
    # One-time set-up goes here: this body runs once, when Django builds the chain.

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response["X-Custom-Header"] = "Value"
        return response

    return middleware


class WhoAmIMiddleware:
    """Reads `request.user`, which exists only below AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user  # AttributeError above AuthenticationMiddleware
        response = self.get_response(request)
        response["X-Lab-User"] = str(user)
        return response


@sync_and_async_middleware
def hybrid_middleware(get_response):
    """Hybrid: Django builds it with an async get_response when it can, a sync one otherwise."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponseBase:
            response = await get_response(request)
            response["X-Hybrid-Mode"] = "async"
            return response

    else:

        def middleware(request: HttpRequest) -> HttpResponseBase:
            response = get_response(request)
            response["X-Hybrid-Mode"] = "sync"
            return response

    return middleware


@sync_only_middleware
def sync_only(get_response):
    """Sync only: in an async stack Django runs it in a worker thread and adapts the layers around it."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response["X-Sync-Only-Thread"] = threading.current_thread().name
        return response

    return middleware


class MixinMiddleware(MiddlewareMixin):
    """MiddlewareMixin is both sync and async capable: it follows the stack's mode, no adaptation.

    In async mode its hooks are still sync methods: MiddlewareMixin calls each
    one through sync_to_async, so it runs in a worker thread, off the event loop.
    """

    def process_response(self, request, response):
        response["X-Mixin"] = "async" if self.async_mode else "sync"
        response["X-Mixin-Thread"] = threading.current_thread().name
        return response
