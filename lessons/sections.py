"""A rendered lesson cut into sections for the search index: heading, anchor, prose and code of each.

Headings are the h2/h3 the table of contents lists (they carry ids); the text
before the first one is the lesson's opening. Demo forms and permalink marks
are left out: what a learner searches is what the lesson says and shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIP = {"form", "script", "style", "button", "svg"}


@dataclass
class Part:
    heading: str = ""
    anchor: str = ""
    text_parts: list[str] = field(default_factory=list)
    code_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    @property
    def code(self) -> str:
        return "\n".join(line.rstrip() for line in "".join(self.code_parts).splitlines() if line.strip())


class _Splitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = [Part()]
        self.heading: list[str] | None = None
        self.skip = 0
        self.code = 0
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h2", "h3") and attrs.get("id") and not self.skip:
            self.parts.append(Part(anchor=attrs["id"]))
            self.heading = []
        if tag in SKIP or "headerlink" in (attrs.get("class") or ""):
            self.skip += 1
            self.stack.append("skip:" + tag)
            return
        if tag == "pre":
            self.code += 1
            self.stack.append("code:" + tag)
            return
        if tag not in ("br", "img", "input", "hr", "meta", "link", "wbr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self.heading is not None:
            self.parts[-1].heading = " ".join("".join(self.heading).split())
            self.heading = None
        for i in range(len(self.stack) - 1, -1, -1):
            name = self.stack[i].split(":")[-1]
            if name == tag:
                for closed in self.stack[i:]:
                    if closed.startswith("skip:"):
                        self.skip -= 1
                    elif closed.startswith("code:"):
                        self.code -= 1
                        self.parts[-1].code_parts.append("\n")
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.skip:
            return
        if self.heading is not None:
            self.heading.append(data)
        elif self.code:
            self.parts[-1].code_parts.append(data)
        else:
            self.parts[-1].text_parts.append(data)


def split_sections(html: str) -> list[Part]:
    splitter = _Splitter()
    splitter.feed(html)
    splitter.close()
    return [p for p in splitter.parts if p.heading or p.text or p.code]
