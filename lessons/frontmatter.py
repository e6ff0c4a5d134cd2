"""Reading and validating a lesson file's YAML front matter.

A lesson file starts with a `---` line, YAML, another `---` line, then
Markdown. Every problem is reported with the line it is on, so `manage.py
check` can point an instructor at the exact spot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

REQUIRES_RE = re.compile(r"^(?P<name>[a-z][a-z0-9_-]*)\s*(?:(?P<op>>=|<=|==|>|<)\s*(?P<version>\d+(?:\.\d+)*))?$")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a content file, at a line (1-based)."""

    line: int
    message: str
    id: str = "lessons.E001"


@dataclass(frozen=True)
class Parsed:
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line the body starts on
    field_lines: dict[str, int]


def split(text: str) -> tuple[Parsed | None, list[Problem]]:
    """Split a file into front matter and body; YAML errors carry their file line."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, [Problem(1, "The file must start with '---' and YAML front matter.")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(1, "The front matter is not closed by a '---' line.")]
    source = "".join(lines[1:end])
    try:
        meta = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(line, f"Front matter is not valid YAML: {problem}.")]
    if not isinstance(meta, dict):
        return None, [Problem(2, "Front matter must be a YAML mapping (key: value lines).")]
    field_lines = {}
    for i, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if ":" in line and not line[:1].isspace() and key not in field_lines:
            field_lines[key] = i
    return Parsed(meta, "".join(lines[end + 1 :]), end + 2, field_lines), []


def _line(parsed: Parsed, key: str) -> int:
    return parsed.field_lines.get(key, 1)


def validate_lesson(parsed: Parsed) -> list[Problem]:
    meta, problems = parsed.meta, []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(_line(parsed, key), message, "lessons.E002"))

    for key in ("title", "summary"):
        if not isinstance(meta.get(key), str) or not meta.get(key, "").strip():
            bad(key, f"'{key}' is required and must be a non-empty string.")
    objectives = meta.get("objectives")
    if not isinstance(objectives, list) or not objectives or not all(isinstance(o, str) and o for o in objectives):
        bad("objectives", "'objectives' is required and must be a list of strings.")
    minutes = meta.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
        bad("minutes", "'minutes' is required and must be a whole number between 1 and 240.")
    requires = meta.get("requires")
    if requires is not None and not (isinstance(requires, str) and REQUIRES_RE.match(requires.strip())):
        bad("requires", "'requires' must look like 'django>=6.1' or a backend name such as 'redis'.")
    trusted = meta.get("trusted_html")
    if trusted is not None and not isinstance(trusted, bool):
        bad("trusted_html", "'trusted_html' must be true or false.")
    known = {"title", "summary", "objectives", "minutes", "requires", "trusted_html"}
    for key in meta:
        if key not in known:
            bad(str(key), f"Unknown front matter field '{key}' (known: {', '.join(sorted(known))}).")
    return problems


def validate_track(parsed: Parsed) -> list[Problem]:
    meta, problems = parsed.meta, []
    for key in ("title", "summary"):
        if not isinstance(meta.get(key), str) or not meta.get(key, "").strip():
            problems.append(Problem(_line(parsed, key), f"'{key}' is required and must be a string.", "lessons.E002"))
    order = meta.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(Problem(_line(parsed, "order"), "'order' is required and must be an integer.", "lessons.E002"))
    return problems
