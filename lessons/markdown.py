"""The one Markdown pipeline: lesson text in, sanitised HTML and a table of contents out.

    convert(text)            Markdown -> raw HTML, TOC and the directives found (no site lookups)
    render(text, ...)        convert, sanitise, then put in each directive's HTML
    rendered(text, ...)      render, cached in the `lessons` cache alias by content hash

Views only call `rendered`; Markdown runs once per content version.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import re
import secrets
from dataclasses import dataclass

import django
import markdown
from django.core.cache import caches
from django.db import connection

from . import directives, sanitize


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Converted:
    html: str
    toc: tuple[TocEntry, ...]
    directives: tuple[tuple[str, str], ...]
    token: str


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: tuple[TocEntry, ...]


EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.attr_list",
    "markdown.extensions.def_list",
    "markdown.extensions.admonition",
    "markdown.extensions.toc",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.details",
    "pymdownx.tabbed",
    "pymdownx.blocks.admonition",
    "pymdownx.blocks.details",
    "pymdownx.blocks.tab",
    directives.DirectivesExtension(),
]
CONFIG = {
    "markdown.extensions.toc": {
        "permalink": "#",
        "permalink_class": "headerlink",
        "permalink_title": "Link to this section",
        "toc_depth": "2-3",
    },
    "pymdownx.highlight": {"css_class": "highlight", "use_pygments": True, "guess_lang": False},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.blocks.tab": {"alternate_style": True},
}
_TAG_RE = re.compile(r"<[^>]+>")


def _flatten(tokens: list[dict]) -> list[TocEntry]:
    out = []
    for token in tokens:
        title = _TAG_RE.sub("", token.get("html", token["name"]))
        out.append(TocEntry(token["level"], token["id"], htmllib.unescape(title)))
        out.extend(_flatten(token.get("children", [])))
    return out


@functools.lru_cache(maxsize=256)
def convert(text: str) -> Converted:
    """Memoised: the content checks and the renderer convert the same text once between them."""
    # A Markdown instance is not thread-safe; rendering is rare, so make one each time.
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIG, output_format="html")
    md.lab_directives = []
    md.lab_token = "labdirective" + secrets.token_hex(6) + "x"
    html = md.convert(text)
    return Converted(html, tuple(_flatten(md.toc_tokens)), tuple(md.lab_directives), md.lab_token)


def render(text: str, *, lesson_path: str = "", trusted: bool = False, offline: bool = False) -> Rendered:
    """`offline`: for an exported copy (no server), demo cards say how to run them locally instead of Run."""
    converted = convert(text)
    html = converted.html if trusted else sanitize.clean(converted.html)
    if converted.directives:
        parts = [directives.resolve(kind, arg, lesson_path, offline=offline) for kind, arg in converted.directives]
        html = re.sub(re.escape(converted.token) + r"(\d+)x", lambda m: parts[int(m[1])], html)
    return Rendered(html, converted.toc)


def cache_key(text: str, lesson_path: str, trusted: bool, offline: bool = False) -> str:
    """Content hash + what else changes the output: Django's version and, for SQL, the database."""
    digest = hashlib.sha256(f"{lesson_path}\n{trusted}\n{offline}\n{text}".encode()).hexdigest()
    vendor = connection.vendor if "sql" in text else "-"
    return f"lesson:{django.get_version()}:{vendor}:{digest}"


def rendered(text: str, *, lesson_path: str = "", trusted: bool = False, offline: bool = False) -> Rendered:
    cache = caches["lessons"]
    key = cache_key(text, lesson_path, trusted, offline)
    result = cache.get(key)
    if result is None:
        result = render(text, lesson_path=lesson_path, trusted=trusted, offline=offline)
        cache.set(key, result, None)
    return result
