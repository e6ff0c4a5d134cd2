"""The course catalogue: every track and lesson, discovered from content folders.

Layout: `<root>/<track>/_track.md` and `<root>/<track>/NN-slug.md`, where the
roots are `settings.LAB_CONTENT_ROOT` (default: the project's `content/`) and
then `settings.LAB_CONTENT_DIRS`. A folder with an `__init__.py` is a course's
Python package (its demos), not a track. The catalogue is built once and is
immutable (lessons.course); with DEBUG on, a cheap stat of the content files
on each access rebuilds it when an instructor saves a file.

Every file's problems (front matter, directives, links, raw HTML) are found
while the catalogue is built. What a site shows depends on its mode:

- preview (DEBUG on, an instructor's laptop): every lesson with a valid file
  name has its URL, drafts and lessons with problems included; their pages
  show a badge and the problems, with file:line and the fix;
- published (DEBUG off, a classroom): drafts and lessons with errors are left
  out of navigation, pagers and URLs, and `get_catalogue` logs why, once per
  build (so once per process, at start-up: config/wsgi.py builds it).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from django.conf import settings
from django.core.signals import setting_changed

from . import frontmatter, problems
from .course import SLUG_RE, Catalogue, Located, Track, lesson_from
from .course import Lesson as Lesson  # re-exported: views and tags import it from here
from .frontmatter import Problem

logger = logging.getLogger("lessons")

LESSON_FILE_RE = re.compile(r"^(?P<number>\d{2,3})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
TRACK_FILE = "_track.md"
# First URL segments the site already uses: a track cannot be called that.
RESERVED = frozenset({"admin", "demos", "sandbox", "static", "media", "__debug__"})


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
            if (track_dir / "__init__.py").exists():
                continue  # a course's Python package (its demos), not a track
            found.extend(sorted(p for p in track_dir.glob("*.md") if p.is_file()))
    return found


def _signature(roots: list[Path]) -> tuple:
    parts = []
    for path in _files(roots):
        st = path.stat()
        parts.append((str(path), st.st_mtime_ns, st.st_size))
    return (tuple(map(str, roots)), tuple(parts))


@dataclass
class _Folder:
    """What one track folder holds while the catalogue is built."""

    meta: tuple[frontmatter.Parsed, Path, str] | None = None  # (parsed _track.md, its path, digest)
    meta_problems: list[Problem] = field(default_factory=list)
    readable: bool = False  # _track.md exists and its front matter has no errors
    lessons: list[str] = field(default_factory=list)
    orphans: list[Located] = field(default_factory=list)  # files that are no lesson, and their problems


class _Builder:
    def __init__(self) -> None:
        self.loose: list[Located] = []  # files in folders that cannot be tracks
        self.folders: dict[str, _Folder] = {}
        self.lessons: dict[str, Lesson] = {}
        self.numbers: dict[tuple[str, int], Path] = {}

    def read(self, path: Path, text: str, digest: str) -> None:
        name = path.parent.name
        if not SLUG_RE.match(name) or name in RESERVED:
            message = f"Track folder '{name}' is not a usable URL segment."
            self.loose.append(
                (path, Problem(1, message, "lessons.E010", "Rename it: lowercase letters, digits, hyphens."))
            )
            return
        folder = self.folders.setdefault(name, _Folder())
        parsed, errors = frontmatter.split(text)
        if path.name == TRACK_FILE:
            errors += frontmatter.validate_track(parsed)
            if folder.meta is None or (folder.meta_problems and not errors):  # another root's _track.md
                if folder.meta is not None:
                    folder.orphans += [(folder.meta[1], p) for p in folder.meta_problems]
                folder.meta, folder.meta_problems, folder.readable = (parsed, path, digest), errors, not errors
            else:
                folder.orphans += [(path, p) for p in errors]
            return
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            message = f"Lesson file name '{path.name}' must look like 'NN-some-slug.md' (lowercase, digits, hyphens)."
            folder.orphans.append((path, Problem(1, message, "lessons.E010", "Rename it, e.g. 07-cache-keys.md.")))
            return
        errors += frontmatter.validate_lesson(parsed)
        number, key = int(match["number"]), f"{name}/{match['slug']}"
        if key in self.lessons:
            message = f"Duplicate lesson slug '{match['slug']}' in track '{name}' (also {self.lessons[key].path})."
            folder.orphans.append((path, Problem(1, message, "lessons.E007", "Give one of them another slug.")))
            return
        if (name, number) in self.numbers:
            message = f"Duplicate lesson number {number:02d} in track '{name}' (also {self.numbers[name, number]})."
            errors.append(Problem(1, message, "lessons.E006", "Renumber one of them: numbers order a track."))
        self.numbers[name, number] = path
        lesson = lesson_from(name, match, path, parsed, digest)
        self.lessons[key] = replace(lesson, problems=tuple(errors), readable=not errors)
        folder.lessons.append(key)

    def body_problems(self, body: str, first_line: int, trusted: bool, draft: bool) -> list[Problem]:
        drafts = {key: lesson.draft for key, lesson in self.lessons.items()}
        found = problems.directive_problems(body, first_line)
        found += problems.question_problems(body, first_line)  # practice (issue 13 item 9)
        found += problems.link_problems(body, first_line, set(self.folders), drafts, from_draft=draft)
        if not trusted:
            found += problems.html_problems(body, first_line)
        return found

    def check_bodies(self) -> None:
        for key, lesson in self.lessons.items():
            found = self.body_problems(lesson.body, lesson.body_line, lesson.trusted_html, lesson.draft)
            merged = sorted([*lesson.problems, *found], key=lambda p: p.line)
            self.lessons[key] = replace(lesson, problems=tuple(merged))
        for name, folder in self.folders.items():
            if folder.meta is None:
                if folder.lessons or folder.orphans:
                    first = self.lessons[folder.lessons[0]].path if folder.lessons else folder.orphans[0][0]
                    message = f"Track '{name}' has lessons but no {TRACK_FILE}."
                    hint = "Add it: title, summary and order (see docs/authoring.md)."
                    folder.orphans.insert(0, (first.parent / TRACK_FILE, Problem(1, message, "lessons.E010", hint)))
                continue
            parsed = folder.meta[0]
            folder.meta_problems += self.body_problems(parsed.body, parsed.body_line, False, False)

    def track(self, name: str, preview: bool, left_out: list) -> Track | None:
        """The track as the site shows it, or None when a published site leaves it out (noted in `left_out`)."""
        folder = self.folders[name]
        parsed, path, digest = folder.meta or (frontmatter.Parsed({}, "", 1, {}), None, "")
        located = [(path, p) for p in folder.meta_problems] + folder.orphans
        readable = folder.readable
        members = sorted((self.lessons[k] for k in folder.lessons), key=lambda lesson: (lesson.number, lesson.slug))
        shown = [m for m in members if preview or (readable and m.published)]
        if not preview:
            for m in members:
                if m not in shown:
                    left_out.append((f"lesson {m.key}", tuple((m.path, p) for p in m.problems if p.is_error)))
            if not readable:
                left_out.append((f"track {name}", tuple(item for item in located if item[1].is_error)))
                return None
        meta = parsed.meta
        title = meta.get("title")
        return Track(
            name=name,
            title=title.strip() if isinstance(title, str) and title.strip() else name,
            summary=meta["summary"].strip() if isinstance(meta.get("summary"), str) else "",
            order=meta["order"] if isinstance(meta.get("order"), int) else 999,
            path=path,
            # A published site drops an intro whose directives or links are broken (the track stays).
            intro=parsed.body if preview or not any(p.is_error for p in folder.meta_problems) else "",
            intro_line=parsed.body_line,
            digest=digest,
            lessons=tuple(shown),
            problems=tuple(located),
        )

    def every_problem(self) -> tuple[Located, ...]:
        found = list(self.loose)
        for folder in self.folders.values():
            found += folder.orphans
            if folder.meta is not None:
                found += [(folder.meta[1], p) for p in folder.meta_problems]
        found += [(lesson.path, p) for lesson in self.lessons.values() for p in lesson.problems]
        return tuple(sorted(found, key=lambda item: (str(item[0]), item[1].line, item[1].id)))


def build(roots: list[Path], *, preview: bool = False) -> Catalogue:
    """Read every content file under `roots`, with every problem; `preview` also shows drafts and broken lessons."""
    builder = _Builder()
    hasher = hashlib.sha256()
    for path in _files(roots):
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        hasher.update(f"{path}:{digest}\n".encode())
        builder.read(path, text, digest)
    builder.check_bodies()
    left_out: list = []
    tracks = [t for name in builder.folders if (t := builder.track(name, preview, left_out)) is not None]
    tracks.sort(key=lambda t: (t.order, t.name))
    order = tuple(lesson.key for t in tracks for lesson in t.lessons)
    return Catalogue(
        tracks=tuple(tracks),
        problems=builder.every_problem(),
        digest=hasher.hexdigest()[:16] + ("p" if preview else ""),
        _tracks=MappingProxyType({t.name: t for t in tracks}),
        _lessons=MappingProxyType({key: builder.lessons[key] for key in order}),
        _order=order,
        preview=preview,
        left_out=tuple(left_out),
    )


def _log(catalogue: Catalogue) -> None:
    """Say in the server's log what a visitor would not see, once per build (never per request)."""
    for what, found in catalogue.left_out:
        if not found:
            logger.info("Left out %s: it is a draft (draft: true).", what)
            continue
        lines = "".join(f"\n  {problems.where(path, p.line)}: {p.message}" for path, p in found)
        logger.warning("Left out %s (DEBUG is off): %d problem(s), see manage.py check:%s", what, len(found), lines)
    if catalogue.preview:
        by_file = Counter(path for path, _ in catalogue.problems)
        for path, count in by_file.items():
            logger.warning("%s has %d problem(s); its page lists them (manage.py check too).", path, count)


_lock = threading.Lock()
_state: dict = {"roots": None, "signature": None, "catalogue": None, "preview": None}


def get_catalogue() -> Catalogue:
    """The current catalogue: built on first use; with DEBUG on, rebuilt when a content file changes."""
    catalogue = _state["catalogue"]
    preview = bool(settings.DEBUG)
    fresh = _state["roots"] == _root_settings() and _state["preview"] == preview
    if catalogue is not None and fresh and not preview:
        return catalogue
    roots = content_roots()
    signature = _signature(roots)
    if catalogue is not None and fresh and _state["signature"] == signature:
        return catalogue
    with _lock:
        catalogue = build(roots, preview=preview)
        _state.update(roots=_root_settings(), signature=signature, catalogue=catalogue, preview=preview)
    _log(catalogue)
    return catalogue


def reset() -> None:
    _state.update(roots=None, signature=None, catalogue=None, preview=None)


def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in {"LAB_CONTENT_ROOT", "LAB_CONTENT_DIRS", "DEBUG"}:
        reset()


setting_changed.connect(_on_setting_changed, dispatch_uid="lessons.catalogue.reset")
