"""Rendering demo cards (in lessons) and lab reports (after a run)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .recorder import Recorder
from .registry import Demo
from .render import highlight_python, source_of

# Lesson HTML is rendered once and cached for everyone, so a card cannot hold a
# learner's CSRF token. The card holds this marker; the lesson view swaps in the
# real token per request (one str.replace). It contains "<" and ">", which HTML
# escaping always changes: text a learner typed, echoed in a report, can never
# spell it, so the swap can never print the learner's token into their own text.
CSRF_MARKER = mark_safe("<!--lab:csrf-token-->")


def report_marker(demo: Demo) -> str:
    """Where a no-JavaScript run's report is put back into the lesson page."""
    return f"<!--lab-report:{demo.slug}-->"


def teaching_pieces(demo: Demo) -> list[dict[str, Any]]:
    """The teaching code a card shows: name, highlighted source, file and line of each piece."""
    shown = []
    for obj in demo.teaching_code:
        code, path, line = source_of(obj)
        name = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".strip(".")
        shown.append({"name": name, "html": highlight_python(code), "path": path, "line": line})
    return shown


def render_card(demo: Demo, lesson_path: str = "") -> str:
    shown = teaching_pieces(demo)
    return render_to_string(
        "lab/card.html",
        {
            "demo": demo,
            "form": demo.form(),
            "csrf_marker": CSRF_MARKER,
            "report_marker": report_marker(demo),
            "lesson_path": lesson_path,
            "code": shown,
        },
    )


def render_report(
    demo: Demo,
    recorder: Recorder | None = None,
    *,
    request: HttpRequest | None = None,
    form: Any = None,
    message: str = "",
    status: int = 200,
    since: list[Any] | None = None,
) -> str:
    return render_to_string(
        "lab/report.html",
        {
            "demo": demo,
            "lab": recorder,
            "form": form,
            "message": message,
            "status": status,
            "open_key": open_step_key(recorder),
            "since": since,
            "toolbar_note": recorder is not None and settings.DEBUG and getattr(settings, "TOOLBAR_ENABLED", False),
        },
        request=request,
    )


def open_step_key(recorder: Recorder | None) -> str:
    """The step a report shows open (the others are collapsed): the one that shows the headline, else the last."""
    if recorder is None or not recorder.steps:
        return ""
    return recorder.focus_key or recorder.steps[-1].key
