"""The course as a static folder that opens from disk: `manage.py export_course <dir>`.

For offline handouts and print. Each page is rendered by the same templates and
context as the site (lessons.views), from the published catalogue (no drafts,
nothing with errors), with demo cards that say how to run them locally
(lessons.offline) since nothing can run in a folder. Links are rewritten to
relative paths ending in index.html, because a browser opening file:// does
not turn a folder into its index page:

    /                       -> index.html
    /orm/                   -> orm/index.html
    /orm/lazy/#section      -> orm/lazy/index.html#section
    /static/css/site.css    -> static/css/site.css (copied, with what CSS files refer to)
    /demos/, /sandbox/...   -> http://127.0.0.1:8000/... (they need the running site)
"""

from __future__ import annotations

import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test.utils import override_settings

from .catalogue import Catalogue, build, content_roots
from .offline import LOCAL_SITE
from .views import _shell, lesson_context, track_context

MARKER = ".django-lab-export"  # proves a folder is an earlier export, so it may be replaced
LINK_RE = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>/[^"]*)"')
CSS_URL_RE = re.compile(r"""url\(\s*['"]?(?P<url>[^'")]+)['"]?\s*\)""")
PLAIN_STATIC = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


class ExportError(Exception):
    """The target folder cannot be used (it holds something that is not an earlier export)."""


@dataclass
class Exported:
    pages: list[Path] = field(default_factory=list)
    static: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def _page_for(catalogue: Catalogue, path: str) -> str | None:
    """The exported file (relative to the export root) for a site path, or None if it is not a course page."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return "index.html"
    if len(segments) == 1 and catalogue.track(segments[0]) and path.endswith("/"):
        return f"{segments[0]}/index.html"
    if len(segments) == 2 and catalogue.lesson(*segments) and path.endswith("/"):
        return f"{segments[0]}/{segments[1]}/index.html"
    return None


def relative_links(html: str, page: str, catalogue: Catalogue, static: set[str]) -> str:
    """Rewrite the site-absolute links of `page` (its path in the export) for reading from disk."""
    here = posixpath.dirname(page) or "."

    def rewrite(match: re.Match) -> str:
        url = match["url"]
        if url.startswith("//"):
            return match[0]
        path, hash_, fragment = url.partition("#")
        path = path.split("?", 1)[0]
        if path.startswith("/static/"):
            static.add(path.removeprefix("/static/"))
            target = "static/" + path.removeprefix("/static/")
        else:
            target = _page_for(catalogue, path)
            if target is None:
                return f'{match["attr"]}="{LOCAL_SITE}{url}"'
        return f'{match["attr"]}="{posixpath.relpath(target, here)}{hash_}{fragment}"'

    return LINK_RE.sub(rewrite, html)


def _copy_static(names: set[str], target: Path) -> list[Path]:
    """Copy the static files the pages use, and the files their CSS refers to."""
    copied, todo, seen = [], sorted(names), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = finders.find(name)
        if source is None:
            continue
        destination = target / "static" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        copied.append(destination)
        if name.endswith(".css"):
            for match in CSS_URL_RE.finditer(Path(source).read_text(encoding="utf-8")):
                ref = match["url"]
                if not ref.startswith(("data:", "http:", "https:", "#", "/")):
                    todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), ref)))
    return copied


def _prepare(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        if not (target / MARKER).exists():
            raise ExportError(f"{target} is not empty and holds no earlier export: pick a new or empty folder.")
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    (target / MARKER).write_text("Written by manage.py export_course; replaced by the next export.\n")


def export_course(target: Path) -> Exported:
    catalogue = build(content_roots(), preview=False)  # what a DEBUG-off site shows: no drafts, no errors
    _prepare(target)
    result = Exported(left_out=[what for what, _ in catalogue.left_out])
    static: set[str] = set()
    pages = [("index.html", "home.html", lambda: _shell(catalogue, current_path="/", offline=True))]
    for track in catalogue.tracks:
        pages.append(
            (
                f"{track.name}/index.html",
                "lessons/track.html",
                lambda t=track: track_context(catalogue, t, offline=True),
            )
        )
        for lesson in track.lessons:
            context = lambda lesson=lesson: lesson_context(catalogue, lesson, offline=True)  # noqa: E731
            pages.append((f"{lesson.track}/{lesson.slug}/index.html", "lessons/lesson.html", context))
    with override_settings(
        STORAGES={**PLAIN_STATIC, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    ):
        for page, template, context in pages:
            html = relative_links(render_to_string(template, context()), page, catalogue, static)
            path = target / page
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
            result.pages.append(path)
        result.static = _copy_static(static, target)
    return result
