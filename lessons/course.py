"""The course as the site serves it: tracks and lessons, immutable, built by `lessons.catalogue`.

Navigation (order, previous/next) is derived from these objects, never written
by hand. Names that come from URLs are only ever looked up here, after a slug
check; nothing joins user input into a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from . import frontmatter, scan
from .frontmatter import Problem

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Located = tuple[Path, Problem]  # a problem and the file it is in


@dataclass(frozen=True)
class Reference:
    """A "Further reading" link from a lesson's `references` front matter (validated: https only)."""

    title: str
    url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class Lesson:
    track: str
    slug: str
    number: int
    path: Path
    title: str
    summary: str
    objectives: tuple[str, ...]
    minutes: int
    body: str = field(repr=False)
    body_line: int = 0
    digest: str = ""
    requires: str = ""
    trusted_html: bool = False
    demos: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    draft: bool = False
    problems: tuple[Problem, ...] = ()  # of this file, in line order (errors and warnings)
    readable: bool = True  # False: the front matter has errors, fields show fallbacks

    @property
    def key(self) -> str:
        return f"{self.track}/{self.slug}"

    @property
    def published(self) -> bool:
        """Shown by a DEBUG-off site: not a draft, no errors."""
        return not self.draft and not any(p.is_error for p in self.problems)

    @property
    def url(self) -> str:
        return f"/{self.track}/{self.slug}/"


@dataclass(frozen=True)
class Track:
    name: str
    title: str
    summary: str
    order: int
    path: Path | None
    intro: str = field(repr=False)
    intro_line: int = 0
    digest: str = ""
    lessons: tuple[Lesson, ...] = field(default=(), repr=False)
    # Problems of _track.md and of files in this folder that are no lesson (misnamed, duplicate slug).
    problems: tuple[Located, ...] = ()

    @property
    def url(self) -> str:
        return f"/{self.name}/"

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass(frozen=True)
class Catalogue:
    tracks: tuple[Track, ...]
    problems: tuple[Located, ...]  # every file's, drafts' and left-out lessons' included
    digest: str
    _tracks: MappingProxyType = field(repr=False)
    _lessons: MappingProxyType = field(repr=False)
    _order: tuple[str, ...] = field(repr=False)
    preview: bool = False
    # What a published catalogue leaves out, and why: (what, problems that made it so; none for a draft).
    left_out: tuple[tuple[str, tuple[Located, ...]], ...] = ()

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(self._lessons[key] for key in self._order)

    @property
    def minutes(self) -> int:
        return sum(t.minutes for t in self.tracks)

    @property
    def demo_count(self) -> int:
        return len({slug for lesson in self._lessons.values() for slug in lesson.demos})

    def track(self, name: str) -> Track | None:
        return self._tracks.get(name) if SLUG_RE.match(name or "") else None

    def lesson(self, track: str, slug: str) -> Lesson | None:
        if not (SLUG_RE.match(track or "") and SLUG_RE.match(slug or "")):
            return None
        return self._lessons.get(f"{track}/{slug}")

    def by_path(self, lesson_path: str) -> Lesson | None:
        """'track/slug' (as a demo form posts it back) to a lesson, or None."""
        track, _, slug = (lesson_path or "").strip("/").partition("/")
        return self.lesson(track, slug)

    def previous(self, lesson: Lesson) -> Lesson | None:
        i = self._order.index(lesson.key)
        return self._lessons[self._order[i - 1]] if i > 0 else None

    def next(self, lesson: Lesson) -> Lesson | None:
        i = self._order.index(lesson.key)
        return self._lessons[self._order[i + 1]] if i + 1 < len(self._order) else None

    def demo_uses(self, slug: str) -> list[Lesson]:
        return [lesson for lesson in self.lessons if slug in lesson.demos]


def lesson_from(track: str, match: re.Match, path: Path, parsed: frontmatter.Parsed, digest: str) -> Lesson:
    """A lesson from its front matter; a field that is missing or invalid (and reported) gets a fallback."""
    meta = parsed.meta

    def text(key: str) -> str:
        return meta[key].strip() if isinstance(meta.get(key), str) else ""

    def listed(key: str) -> list:
        return meta[key] if isinstance(meta.get(key), list) else []

    minutes = meta.get("minutes")
    return Lesson(
        track=track,
        slug=match["slug"],
        number=int(match["number"]),
        path=path,
        title=text("title") or path.name,
        summary=text("summary"),
        objectives=tuple(o.strip() for o in listed("objectives") if isinstance(o, str) and o.strip()),
        minutes=minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else 0,
        requires=text("requires") if frontmatter.REQUIRES_RE.match(text("requires")) else "",
        trusted_html=meta.get("trusted_html") is True,
        draft=meta.get("draft") is True,
        body=parsed.body,
        body_line=parsed.body_line,
        digest=digest,
        demos=tuple(dict.fromkeys(f.value for f in scan.directives(parsed.body) if f.kind == "demo")),
        references=tuple(
            Reference(r["title"].strip(), r["url"])
            for r in listed("references")
            if isinstance(r, dict) and isinstance(r.get("title"), str) and frontmatter.is_https_url(r.get("url"))
        ),
    )
