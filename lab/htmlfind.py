"""A tiny HTML finder for tests (the project has no HTML parsing dependency): elements by attribute, with their text.

for el in select(html, "data-predict-result"):
    el.attrs["data-predict-result"], el.text, el.links
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    parts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


class _Finder(HTMLParser):
    def __init__(self, attr: str, value: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.attr, self.value = attr, value
        self.found: list[Element] = []
        self.open: list[tuple[str, Element | None]] = []

    def _active(self) -> list[Element]:
        return [el for _, el in self.open if el is not None]

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        for el in self._active():
            if tag == "a" and "href" in attrs:
                el.links.append(attrs["href"])
            if tag in ("input", "textarea", "select"):
                el.inputs.append(attrs)
        match = self.attr in attrs and (self.value is None or attrs[self.attr] == self.value)
        el = Element(tag, attrs, self.getpos()[0]) if match else None
        if el is not None:
            self.found.append(el)
        if tag not in VOID:
            self.open.append((tag, el))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        for el in self._active():
            el.parts.append(data)


def select(html: str | bytes, attr: str, value: str | None = None) -> list[Element]:
    """Every element carrying `attr` (equal to `value` when given), in document order."""
    finder = _Finder(attr, value)
    finder.feed(html.decode() if isinstance(html, bytes) else html)
    return finder.found
