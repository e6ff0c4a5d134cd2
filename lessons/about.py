"""The About page (issue 13 item 12): the concept page the course grew from, and where its examples are corrected.

Both texts live in `content/_about/` (a folder starting with "_" is no track).
The concept page is shown as written, through the same sanitising Markdown
pipeline as lessons (so its broken fences render as they always did), with its
headings demoted below the About page's own; its source is shown verbatim too.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from . import markdown
from .catalogue import Catalogue

ABOUT_DIR = "_about"
MENTION_RE = re.compile(r"concept[ -]page", re.IGNORECASE)
_HEADING_RE = re.compile(r"<(/?)h([1-4])\b")


def _read(name: str) -> str:
    # The course's own folder, whatever extra content roots an instructor adds: this is the course's history.
    return (Path(settings.BASE_DIR) / "content" / ABOUT_DIR / name).read_text(encoding="utf-8")


def _demoted(html: str) -> str:
    """The page's h1/h2 under the About page's own h2: h1 -> h3, h2 -> h4, and so on."""
    return _HEADING_RE.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}", html)


def concept_page_source() -> str:
    return _read("concept-page.md")


def mentions(catalogue: Catalogue) -> list:
    """Every lesson that names the concept page, in course order (derived, so a new mention is listed)."""
    return [lesson for lesson in catalogue.lessons if MENTION_RE.search(lesson.body)]


def context(catalogue: Catalogue) -> dict:
    source = concept_page_source()
    intro = markdown.rendered(_read("about.md"), lesson_path="_about")
    concept = markdown.rendered(source, lesson_path="_about/concept-page")
    return {
        "intro": intro.html,
        "concept_html": _demoted(concept.html),
        "concept_source": source,
        "mentions": mentions(catalogue),
    }
