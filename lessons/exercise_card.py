"""The exercise card a `/// exercise | <slug>` directive puts in a lesson.

The card is rendered once with the lesson and cached for everyone, so it holds
nothing per learner: the learner's code, their hints shown and their progress
live in their browser (static/js/exercise-card.js). Without JavaScript the card
says the exercise needs it, and shows the starter code and the hints.

The prompt is Markdown (the lesson pipeline, sanitised like lesson text); the
starter and solution travel as text in <template> elements, which are inert
(nothing in them runs or renders), so the page needs no inline script.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

DEFAULT_VERSIONS = ("5.2",)
RUNTIME_MANIFEST = "/runtime/manifest.json"  # what static/js/lab-runtime.js fetches first


def dom_id(exercise: Any) -> str:
    return getattr(exercise, "dom_id", None) or "exercise-" + "".join(c if c.isalnum() else "-" for c in exercise.slug)


def prompt_html(text: str) -> SafeString:
    """Plain Markdown, sanitised like lesson text (not the lesson pipeline: a card is rendered inside it)."""
    from markdown import markdown

    from .sanitize import clean

    return mark_safe(clean(markdown(text, extensions=["fenced_code"])))  # noqa: S308 (sanitised just now)


def inline_html(text: str) -> SafeString:
    """A hint: Markdown for one paragraph (`code`, *emphasis*, links), without the paragraph around it."""
    html = prompt_html(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)  # noqa: S308 (sanitised by prompt_html)


def versions_of(exercise: Any) -> tuple[str, ...]:
    """The Django versions the exercise declares (5.2 first: the server's, the default)."""
    found = tuple(str(v) for v in (getattr(exercise, "versions", None) or DEFAULT_VERSIONS))
    return tuple(sorted(found, key=lambda v: (v != "5.2", v)))


def _static(path: str) -> str:
    """The file's URL ('' when a manifest does not list it: the card then says the runtime is missing)."""
    try:
        return static(path)
    except ValueError:
        return ""


def runtime_src() -> str:
    """The runtime's script, or '' when this site does not serve the runtime (then the card says so,
    rather than the page asking for a manifest that is not there)."""
    from django.urls import Resolver404, resolve

    try:
        resolve(RUNTIME_MANIFEST)
    except Resolver404:
        return ""
    try:
        from lab.runtime.views import build_dir
    except ImportError:
        return ""
    if not (build_dir() / "manifest.json").exists():  # routed but not built: `make runtime`
        return ""
    return _static("js/lab-runtime.js")


def render_exercise_card(exercise: Any, lesson_path: str = "", *, offline: bool = False) -> str:
    from lab.render import highlight_python

    versions = versions_of(exercise)
    return render_to_string(
        "lessons/exercise_card.html",
        {
            "ex": exercise,
            "dom_id": dom_id(exercise),
            "prompt": prompt_html(getattr(exercise, "prompt", "") or ""),
            "starter_html": highlight_python(exercise.starter),
            "hints": [inline_html(h) for h in getattr(exercise, "hints", ()) or ()],
            "versions": versions,
            "both": len(versions) > 1,
            "lesson_path": lesson_path,
            "offline": offline,
            "editor_src": _static("vendor/codemirror/codemirror.min.js"),
            "runtime_src": runtime_src(),
        },
    )
