"""Reading and validating a lesson file's YAML front matter.

A lesson file starts with a `---` line, YAML, another `---` line, then
Markdown. Every problem is reported with the line it is on and, where there
is one, the fix (`hint`), so `manage.py check` and the lesson page in local
mode can point an instructor at the exact spot. A YAML error does not hide the
other problems: the front matter is then read field by field, and the fields
that still parse are validated as usual.
"""

from __future__ import annotations

import difflib
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
    hint: str = ""  # the fix, when there is one to suggest

    @property
    def is_error(self) -> bool:
        """Errors keep a lesson out of a DEBUG-off site; warnings (lessons.W...) only inform."""
        return ".E" in self.id


@dataclass(frozen=True)
class Parsed:
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line the body starts on
    field_lines: dict[str, int]
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # file line of each item of a list field
    # Fields whose YAML could not be read (already reported): not "missing" too.
    unreadable: frozenset[str] = frozenset()
    # False when there is no front matter to validate (already reported), only a body.
    readable: bool = True


FENCE = "---"
START_HINT = "Start the file with a '---' line, the front matter (title, summary, objectives, minutes), then '---'."


def split(text: str) -> tuple[Parsed, list[Problem]]:
    """Split a file into front matter and body; every YAML problem carries its file line.

    There is always a body to go on with (the whole text when the front matter
    is missing), so directives and links can still be checked.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        problem = Problem(1, "The file must start with '---' and YAML front matter.", hint=START_HINT)
        return Parsed({}, text, 1, {}, readable=False), [problem]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        problem = Problem(1, "The front matter is not closed by a '---' line.", hint="Add a '---' line after it.")
        return Parsed({}, "", len(lines) + 1, {}, readable=False), [problem]
    body, body_line = "".join(lines[end + 1 :]), end + 2
    field_lines = {}
    for i, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if ":" in line and not line[:1].isspace() and key not in field_lines:
            field_lines[key] = i
    source = "".join(lines[1:end])
    try:
        meta = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        meta, unreadable, problems = _field_by_field(lines[1:end], exc)
        return Parsed(meta, body, body_line, field_lines, unreadable=unreadable), problems
    if not isinstance(meta, dict):
        problem = Problem(
            2, "Front matter must be a YAML mapping (key: value lines).", hint="Write one 'key: value' per line."
        )
        return Parsed({}, body, body_line, field_lines, readable=False), [problem]
    return Parsed(meta, body, body_line, field_lines, _item_lines(source)), []


def _yaml_problem(exc: yaml.YAMLError, first_line: int, last_line: int) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    # An error found at the end of the text (an unclosed quote) belongs to the last line that has text.
    line = min(mark.line + first_line, last_line) if mark is not None else first_line
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    if "quoted scalar" in context or "end of stream" in problem:
        hint = "Close the quote this value opens (or remove it)."
    elif "mapping values are not allowed" in problem:
        hint = 'A value that contains ": " must be quoted, e.g. title: "Caching: the basics".'
    elif "\\t" in problem or "tab" in problem:
        hint = "Indent with spaces, not tabs."
    elif "flow sequence" in context or "flow mapping" in context:
        hint = "Close the bracket this value opens, or quote the value."
    else:
        hint = "Check the quotes, colons and indentation here; quote a value that contains ': ' or ' #'."
    return Problem(line, f"Front matter is not valid YAML: {problem}.", hint=hint)


def _field_by_field(lines: list[str], whole: yaml.YAMLError) -> tuple[dict[str, Any], frozenset[str], list[Problem]]:
    """Read each top-level field on its own, so one bad field does not hide the others."""
    chunks: list[tuple[int, list[str]]] = []  # (file line, lines): a field and its continuation lines
    for i, line in enumerate(lines, start=2):
        starts_field = line[:1] not in {" ", "\t", "-", "#", "\n", "\r", ""} and ":" in line
        if starts_field or not chunks:
            chunks.append((i, [line]))
        else:
            chunks[-1][1].append(line)
    meta: dict[str, Any] = {}
    unreadable: set[str] = set()
    problems = []
    for first_line, chunk in chunks:
        key = chunk[0].split(":", 1)[0].strip()
        try:
            value = yaml.safe_load("".join(chunk))
        except yaml.YAMLError as exc:
            last = first_line + max((i for i, text in enumerate(chunk) if text.strip()), default=0)
            problems.append(_yaml_problem(exc, first_line, last))
            unreadable.add(key)
            continue
        if isinstance(value, dict):
            meta.update(value)
    if not problems:  # the fields parse alone but not together: report the whole-document error
        problems.append(_yaml_problem(whole, 2, len(lines) + 1))
    return meta, frozenset(unreadable), problems


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


LESSON_FIELDS = ("title", "summary", "objectives", "minutes", "requires", "trusted_html", "draft", "references")
TRACK_FIELDS = ("title", "summary", "order")
FIELD_HINTS = {
    "title": "Add a line such as: title: Per-view caching with cache_page",
    "summary": "Add a line such as: summary: One sentence for the track page.",
    "objectives": "Add a list, one objective a line:\nobjectives:\n  - Cache a view and read its Age header.",
    "minutes": "Write a whole number of minutes, e.g. minutes: 15",
    "requires": "For example: requires: django>=6.1, or requires: redis",
    "trusted_html": "Write trusted_html: true or trusted_html: false",
    "draft": "Write draft: true (kept out of a DEBUG-off site) or draft: false",
    "order": "Write a whole number, e.g. order: 5 (tracks are listed by it)",
}


def _required_string(meta: dict[str, Any], key: str) -> bool:
    return isinstance(meta.get(key), str) and bool(meta[key].strip())


def _unknown_fields(parsed: Parsed, known: tuple[str, ...]) -> list[Problem]:
    problems = []
    for key in parsed.meta:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else f"Known fields: {', '.join(sorted(known))}."
        message = f"Unknown front matter field '{key}' (known: {', '.join(sorted(known))})."
        problems.append(Problem(_line(parsed, str(key)), message, "lessons.E002", hint))
    return problems


def validate_lesson(parsed: Parsed) -> list[Problem]:
    if not parsed.readable:
        return []
    meta, problems = parsed.meta, []

    def bad(key: str, message: str) -> None:
        if key not in parsed.unreadable:  # its YAML error is reported already
            if meta.get(key) is not None:
                message = f"{message[:-1]}, not {meta[key]!r}."
            problems.append(Problem(_line(parsed, key), message, "lessons.E002", FIELD_HINTS.get(key, "")))

    for key in ("title", "summary"):
        if not _required_string(meta, key):
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
    for key in ("trusted_html", "draft"):
        if meta.get(key) is not None and not isinstance(meta[key], bool):
            bad(key, f"'{key}' must be true or false.")
    problems += _reference_problems(parsed)
    problems += _unknown_fields(parsed, LESSON_FIELDS)
    return sorted(problems, key=lambda p: p.line)


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
        if not is_https_url(url):
            got = f" (got {url!r})" if url is not None else ""
            message = f"{where}: 'url' must be an absolute https:// URL with a host and no spaces{got}."
            problems.append(Problem(line, message, "lessons.E002"))
    return problems


def is_https_url(url: object) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc


def validate_track(parsed: Parsed) -> list[Problem]:
    if not parsed.readable:
        return []
    meta, problems = parsed.meta, []
    for key in ("title", "summary"):
        if not _required_string(meta, key) and key not in parsed.unreadable:
            message = f"'{key}' is required and must be a string."
            problems.append(Problem(_line(parsed, key), message, "lessons.E002", FIELD_HINTS[key]))
    order = meta.get("order")
    if (not isinstance(order, int) or isinstance(order, bool)) and "order" not in parsed.unreadable:
        message = "'order' is required and must be an integer."
        problems.append(Problem(_line(parsed, "order"), message, "lessons.E002", FIELD_HINTS["order"]))
    return problems + _unknown_fields(parsed, TRACK_FIELDS)
