"""A line diff of the SQL two steps sent, drawn as a figure with the differences highlighted.

Lines only in the first variant are marked − (a <del>), lines only in the
second + (an <ins>); within a changed line the words that differ are marked
too, so a learner sees at a glance that `T3` or `HAVING` is what moved.
The −/+ marks stay in the text, so the diff reads without colour as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .recorder import Step
from .render import format_sql

MARKS = {"same": " ", "a": "−", "b": "+"}
TOKEN = re.compile(r'("[^"]*"|\w+|\s+|.)')  # quoted names, words, spaces, punctuation


@dataclass
class DiffLine:
    kind: str  # "same", "a" (only in the first variant) or "b" (only in the second)
    parts: list[tuple[str, bool]] = field(default_factory=list)  # (text, differs within a changed line)

    @property
    def mark(self) -> str:
        return MARKS[self.kind]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def sql_lines(queries: Iterable) -> list[str]:
    """The formatted SQL of a step's queries, one line per list item, a blank line between statements."""
    return "\n\n".join(format_sql(q.sql) for q in queries).splitlines()


def diff_lines(a: list[str], b: list[str]) -> list[DiffLine]:
    """Every line of both versions in order: unchanged once, changed ones as − then +."""
    out: list[DiffLine] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [DiffLine("same", [(line, False)]) for line in a[a1:a2]]
            continue
        old, new = a[a1:a2], b[b1:b2]
        left = [[(x, False)] for x in old]
        right = [[(y, False)] for y in new]
        for i, j in _similar_pairs(old, new):  # words are compared only within lines that are alike
            left[i], right[j] = _word_diff(old[i], new[j])
        out += [DiffLine("a", parts) for parts in left] + [DiffLine("b", parts) for parts in right]
    return [line for line in out if line.text.strip() or line.kind == "same"]


def _similar_pairs(old: list[str], new: list[str], cutoff: float = 0.6) -> list[tuple[int, int]]:
    """Pair each old line with the next new line that is mostly the same, keeping their order."""
    pairs, start = [], 0
    for i, x in enumerate(old):
        for j in range(start, len(new)):
            if SequenceMatcher(None, x, new[j], autojunk=False).ratio() >= cutoff:
                pairs.append((i, j))
                start = j + 1
                break
    return pairs


def _word_diff(x: str, y: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    tx, ty = TOKEN.findall(x), TOKEN.findall(y)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, tx, ty, autojunk=False).get_opcodes():
        left.append(("".join(tx[i1:i2]), op != "equal"))
        right.append(("".join(ty[j1:j2]), op != "equal"))
    return [p for p in left if p[0]], [p for p in right if p[0]]


def sql_diff_figure(label_a: str, label_b: str, lines: list[DiffLine]) -> SafeString:
    return render_to_string("orm/sql_diff.html", {"label_a": label_a, "label_b": label_b, "lines": lines})


def show_sql_diff(
    step: Step, caption: str, label_a: str, queries_a: Iterable, label_b: str, queries_b: Iterable
) -> int:
    """Attach the highlighted diff to `step` as a figure; return how many lines differ."""
    lines = diff_lines(sql_lines(queries_a), sql_lines(queries_b))
    step.figure(caption, sql_diff_figure(label_a, label_b, lines))
    return sum(1 for line in lines if line.kind != "same")
