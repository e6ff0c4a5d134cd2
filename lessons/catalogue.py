"""The course catalogue: every track and lesson, discovered from content folders.

Layout: `<root>/<track>/_track.md` and `<root>/<track>/NN-slug.md`, where the
roots are `settings.LAB_CONTENT_ROOT` (default: the project's `content/`) and
then `settings.LAB_CONTENT_DIRS`. The catalogue is built once and is
immutable; navigation (order, previous/next) is derived from it. With DEBUG
on, a cheap stat of the content files on each access rebuilds it when an
instructor saves a file.

Names that come from URLs are only ever looked up in the catalogue; nothing
here joins user input into a path.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed

from . import frontmatter, scan
from .frontmatter import Problem

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE_RE = re.compile(r"^(?P<number>\d{2,3})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
TRACK_FILE = "_track.md"
# First URL segments the site already uses: a track cannot be called that.
RESERVED = frozenset({"admin", "demos", "sandbox", "static", "media", "__debug__"})


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

    @property
    def key(self) -> str:
        return f"{self.track}/{self.slug}"

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

    @property
    def url(self) -> str:
        return f"/{self.name}/"

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass(frozen=True)
class Catalogue:
    tracks: tuple[Track, ...]
    problems: tuple[tuple[Path, Problem], ...]
    digest: str
    _tracks: MappingProxyType = field(repr=False)
    _lessons: MappingProxyType = field(repr=False)
    _order: tuple[str, ...] = field(repr=False)

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


def _root_settings() -> tuple:
    return (settings.LAB_CONTENT_ROOT, tuple(settings.LAB_CONTENT_DIRS))


def content_roots() -> list[Path]:
    root = settings.LAB_CONTENT_ROOT or settings.BASE_DIR / "content"
    return [Path(root), *(Path(p) for p in settings.LAB_CONTENT_DIRS)]


def _files(roots: Iterable[Path]) -> list[Path]:
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for track_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            found.extend(sorted(p for p in track_dir.glob("*.md") if p.is_file()))
    return found


def _signature(roots: list[Path]) -> tuple:
    parts = []
    for path in _files(roots):
        st = path.stat()
        parts.append((str(path), st.st_mtime_ns, st.st_size))
    return (tuple(map(str, roots)), tuple(parts))


def build(roots: list[Path]) -> Catalogue:
    """Read every content file under `roots`; invalid files are left out and listed in `problems`."""
    problems: list[tuple[Path, Problem]] = []
    tracks: dict[str, dict] = {}
    lessons: dict[str, Lesson] = {}
    numbers: dict[tuple[str, int], Path] = {}
    hasher = hashlib.sha256()
    for path in _files(roots):
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        hasher.update(f"{path}:{digest}\n".encode())
        track_name = path.parent.name
        if not SLUG_RE.match(track_name) or track_name in RESERVED:
            problems.append(
                (path, Problem(1, f"Track folder '{track_name}' is not a usable URL segment.", "lessons.E010"))
            )
            continue
        entry = tracks.setdefault(track_name, {"meta": None, "lessons": []})
        parsed, errors = frontmatter.split(text)
        if path.name == TRACK_FILE:
            errors = errors or frontmatter.validate_track(parsed)
            if errors:
                problems.extend((path, e) for e in errors)
            elif entry["meta"] is None:
                entry["meta"] = (parsed, path, digest)
            continue
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            message = f"Lesson file name '{path.name}' must look like 'NN-some-slug.md' (lowercase, digits, hyphens)."
            problems.append((path, Problem(1, message, "lessons.E010")))
            continue
        errors = errors or frontmatter.validate_lesson(parsed)
        if errors:
            problems.extend((path, e) for e in errors)
            continue
        number, slug = int(match["number"]), match["slug"]
        key = f"{track_name}/{slug}"
        if key in lessons:
            message = f"Duplicate lesson slug '{slug}' in track '{track_name}' (also {lessons[key].path})."
            problems.append((path, Problem(1, message, "lessons.E007")))
            continue
        if (track_name, number) in numbers:
            message = (
                f"Duplicate lesson number {number:02d} in track '{track_name}' (also {numbers[track_name, number]})."
            )
            problems.append((path, Problem(1, message, "lessons.E006")))
        numbers[track_name, number] = path
        meta = parsed.meta
        lessons[key] = Lesson(
            track=track_name,
            slug=slug,
            number=number,
            path=path,
            title=meta["title"].strip(),
            summary=meta["summary"].strip(),
            objectives=tuple(o.strip() for o in meta["objectives"]),
            minutes=meta["minutes"],
            requires=(meta.get("requires") or "").strip(),
            trusted_html=bool(meta.get("trusted_html", False)),
            body=parsed.body,
            body_line=parsed.body_line,
            digest=digest,
            demos=tuple(dict.fromkeys(f.value for f in scan.directives(parsed.body) if f.kind == "demo")),
            references=tuple(Reference(r["title"].strip(), r["url"]) for r in meta.get("references") or ()),
        )
        entry["lessons"].append(lessons[key])

    built = []
    for name, entry in tracks.items():
        track_lessons = tuple(sorted(entry["lessons"], key=lambda lesson: (lesson.number, lesson.slug)))
        if entry["meta"] is None:
            if track_lessons:
                where = track_lessons[0].path.parent / TRACK_FILE
                problems.append(
                    (where, Problem(1, f"Track '{name}' has lessons but no valid {TRACK_FILE}.", "lessons.E010"))
                )
            continue
        parsed, path, digest = entry["meta"]
        built.append(
            Track(
                name=name,
                title=parsed.meta["title"].strip(),
                summary=parsed.meta["summary"].strip(),
                order=parsed.meta["order"],
                path=path,
                intro=parsed.body,
                intro_line=parsed.body_line,
                digest=digest,
                lessons=track_lessons,
            )
        )
    built.sort(key=lambda t: (t.order, t.name))
    order = tuple(lesson.key for t in built for lesson in t.lessons)
    return Catalogue(
        tracks=tuple(built),
        problems=tuple(problems),
        digest=hasher.hexdigest()[:16],
        _tracks=MappingProxyType({t.name: t for t in built}),
        _lessons=MappingProxyType({key: lessons[key] for key in order}),
        _order=order,
    )


_lock = threading.Lock()
_state: dict = {"roots": None, "signature": None, "catalogue": None}


def get_catalogue() -> Catalogue:
    """The current catalogue: built on first use; with DEBUG on, rebuilt when a content file changes."""
    catalogue = _state["catalogue"]
    if catalogue is not None and _state["roots"] == _root_settings() and not settings.DEBUG:
        return catalogue
    roots = content_roots()
    signature = _signature(roots)
    if catalogue is not None and _state["signature"] == signature:
        return catalogue
    with _lock:
        catalogue = build(roots)
        _state.update(roots=_root_settings(), signature=signature, catalogue=catalogue)
    return catalogue


def reset() -> None:
    _state.update(roots=None, signature=None, catalogue=None)


def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in {"LAB_CONTENT_ROOT", "LAB_CONTENT_DIRS", "DEBUG"}:
        reset()


setting_changed.connect(_on_setting_changed, dispatch_uid="lessons.catalogue.reset")
