"""Finding directives and lesson links in a lesson's Markdown source, with their lines.

The renderer handles directives as real Markdown blocks; this scanner only
reads the source, so that the catalogue knows which demos a lesson uses and
the system checks can name the line of a mistake. Fenced code is skipped: a
lesson may show the directive syntax as an example.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

DIRECTIVE_RE = re.compile(r"^\s*/{3,}\s*(?P<kind>demo|source|sql|exercise)\s*\|\s*(?P<arg>.*?)\s*$")
FENCE_RE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")
# Markdown links and HTML hrefs to a site-absolute path of two segments.
LINK_RE = re.compile(r"""(?:\]\(|href=["'])(?P<url>/[^)\s"'#?]*)""")


@dataclass(frozen=True)
class Found:
    kind: str
    value: str
    line: int


def _outside_fences(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    fence = ""
    for number, line in enumerate(body.splitlines(), start=first_line):
        match = FENCE_RE.match(line)
        if match:
            marker = match["fence"]
            if not fence:
                fence = marker
                continue
            if marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker) :].strip():
                fence = ""
                continue
        if not fence:
            yield number, line


def directives(body: str, first_line: int = 1) -> list[Found]:
    found = []
    for number, line in _outside_fences(body, first_line):
        match = DIRECTIVE_RE.match(line)
        if match:
            found.append(Found(match["kind"], match["arg"], number))
    return found


def links(body: str, first_line: int = 1) -> list[Found]:
    return [
        Found("link", match["url"], number)
        for number, line in _outside_fences(body, first_line)
        for match in LINK_RE.finditer(line)
    ]


def line_of(body: str, first_line: int, needle: str) -> int:
    """The file line where `needle` first appears in the body (case-insensitive), else the body's first line."""
    needle = needle.lower()
    for number, line in enumerate(body.splitlines(), start=first_line):
        if needle in line.lower():
            return number
    return first_line
