"""One middleware layer, traced: what it saw going in and coming out, the headers it changed, its hooks.

`LabHandler` (lab.handler) wraps every middleware instance it builds in a
`TracedLayer`; the events land in the running step's `trace`, which the report
draws as the onion.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import MethodType
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

from .events import TraceEvent
from .recorder import active


def short_name(path: str) -> str:
    """`django.contrib.sessions.middleware.SessionMiddleware` → `SessionMiddleware`."""
    return path.rsplit(".", 1)[-1]


def response_headers(response: HttpResponseBase) -> dict[str, str]:
    """The headers as the client will get them, cookies included (Django keeps those apart until the end)."""
    headers = dict(response.items())
    if response.cookies:
        headers["Set-Cookie"] = ", ".join(morsel.OutputString() for morsel in response.cookies.values())
    return headers


def _diff(before: dict[str, str] | None, after: dict[str, str]) -> tuple[dict, dict, list]:
    if before is None:
        return dict(after), {}, []
    added = {k: v for k, v in after.items() if k not in before}
    changed = {k: (before[k], v) for k, v in after.items() if k in before and before[k] != v}
    removed = [k for k in before if k not in after]
    return added, changed, removed


def _record(layer: str, phase: str, **kwargs: Any) -> None:
    recorder = active()
    if recorder is not None:
        recorder.record_trace(TraceEvent(layer=layer, phase=phase, **kwargs))


def _out(layer: str, response: HttpResponseBase) -> HttpResponseBase:
    after = response_headers(response)
    added, changed, removed = _diff(getattr(response, "_lab_headers", None), after)
    note = "" if hasattr(response, "_lab_headers") else "new response"
    response._lab_headers = after
    _record(layer, "out", status=response.status_code, added=added, changed=changed, removed=removed, note=note)
    return response


def _thread_note(mode: str, show_threads: bool) -> str:
    return (
        f"{mode} · thread {threading.current_thread().name}" if show_threads else ("async" if mode == "async" else "")
    )


class TracedLayer:
    """Wraps one middleware instance: records in/out and its hooks, delegates everything else."""

    def __init__(self, name: str, instance: Any, show_threads: bool = False):
        self._lab_name = name
        self._lab_instance = instance
        self._lab_threads = show_threads
        self._lab_async = iscoroutinefunction(instance)
        if self._lab_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._lab_async:
            # As MiddlewareMixin does: a dunder set on the instance is ignored, so branch here.
            return self._acall(request)  # type: ignore[return-value]
        _record(self._lab_name, "in", note=_thread_note("sync", self._lab_threads))
        return _out(self._lab_name, self._lab_instance(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        _record(self._lab_name, "in", note=_thread_note("async", self._lab_threads))
        return _out(self._lab_name, await self._lab_instance(request))

    def __getattr__(self, attr: str) -> Any:
        # hasattr(layer, "process_view") must answer for the real instance.
        hook = getattr(self._lab_instance, attr)
        if attr in {"process_view", "process_exception", "process_template_response"}:
            return self._traced_hook(attr, hook)
        return hook

    def _traced_hook(self, attr: str, hook: Callable[..., Any]) -> Callable[..., Any]:
        # Bound to the real instance: Django names a failing hook by `method.__self__.__class__`.
        name = self._lab_name

        def traced(instance, request, *args):
            result = hook(request, *args)
            _record(name, attr, status=getattr(result, "status_code", None), note=_hook_note(attr, args, result))
            return result

        if iscoroutinefunction(hook):

            async def atraced(instance, request, *args):
                result = await hook(request, *args)
                _record(name, attr, status=getattr(result, "status_code", None), note=_hook_note(attr, args, result))
                return result

            return MethodType(atraced, self._lab_instance)
        return MethodType(traced, self._lab_instance)


def _hook_note(attr: str, args: tuple, result: Any) -> str:
    if attr == "process_exception":
        return f"saw {type(args[0]).__name__}" + ("; returned a response" if result is not None else "")
    if attr == "process_view" and result is not None:
        return "returned a response: the view is skipped"
    return ""


def _mode_note(middleware_is_async: bool, below_is_async: bool) -> str:
    """What Django's adapt_method_mode decided for this layer (it logs this only with DEBUG on)."""
    mode = "async" if middleware_is_async else "sync"
    if middleware_is_async == below_is_async:
        return mode
    wrapper = "sync_to_async" if middleware_is_async else "async_to_sync"
    below = "async" if below_is_async else "sync"
    return f"{mode}; the {below} layer below is adapted with {wrapper}"
