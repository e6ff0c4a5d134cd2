"""Reading and validating a lesson file's YAML front matter.

A lesson file starts with a `---` line, YAML, another `---` line, then
Markdown. Every problem is reported with the line it is on, so `manage.py
check` can point an instructor at the exact spot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

REQUIRES_RE = re.compile(r"^(?P<name>[a-z][a-z0-9_-]*)\s*(?:(?P<op>>=|<=|==|>|<)\s*(?P<version>\d+(?:\.\d+)*))?$")


REFERENCES_SHAPE = "'references' must be a list of {title: ..., url: https://...} mappings."


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
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # file line of each item of a list field


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
    return Parsed(meta, "".join(lines[end + 1 :]), end + 2, field_lines, _item_lines(source)), []


def _item_lines(source: str) -> dict[str, list[int]]:
    """For each top-level list field, the file line each item starts on (YAML line 0 is file line 2)."""
    node = yaml.compose(source)
    found = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode):
                found[key.value] = [item.start_mark.line + 2 for item in value.value]
    return found


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
    problems += _reference_problems(parsed)
    known = {"title", "summary", "objectives", "minutes", "requires", "trusted_html", "references"}
    for key in meta:
        if key not in known:
            bad(str(key), f"Unknown front matter field '{key}' (known: {', '.join(sorted(known))}).")
    return problems


def _reference_problems(parsed: Parsed) -> list[Problem]:
    """`references`: optional list of {title, url} mappings, url https only; each problem on its item's line."""
    references = parsed.meta.get("references")
    if references is None:
        return []
    if not isinstance(references, list) or not references:
        return [Problem(_line(parsed, "references"), REFERENCES_SHAPE, "lessons.E002")]
    lines = parsed.item_lines.get("references", [])
    problems = []
    for i, item in enumerate(references):
        line = lines[i] if i < len(lines) else _line(parsed, "references")
        where = f"references item {i + 1}"
        if not isinstance(item, dict):
            problems.append(Problem(line, f"{where}: {REFERENCES_SHAPE}", "lessons.E002"))
            continue
        extra = sorted(str(k) for k in item if k not in {"title", "url"})
        if extra:
            problems.append(
                Problem(line, f"{where}: unknown key(s) {', '.join(extra)} (known: title, url).", "lessons.E002")
            )
        title, url = item.get("title"), item.get("url")
        if not isinstance(title, str) or not title.strip():
            problems.append(
                Problem(line, f"{where}: 'title' is required and must be a non-empty string.", "lessons.E002")
            )
        if not _is_https_url(url):
            got = f" (got {url!r})" if url is not None else ""
            message = f"{where}: 'url' must be an absolute https:// URL with a host and no spaces{got}."
            problems.append(Problem(line, message, "lessons.E002"))
    return problems


def _is_https_url(url: object) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc


def validate_track(parsed: Parsed) -> list[Problem]:
    meta, problems = parsed.meta, []
    for key in ("title", "summary"):
        if not isinstance(meta.get(key), str) or not meta.get(key, "").strip():
            problems.append(Problem(_line(parsed, key), f"'{key}' is required and must be a string.", "lessons.E002"))
    order = meta.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(Problem(_line(parsed, "order"), "'order' is required and must be an integer.", "lessons.E002"))
    return problems
