"""A report puts its point first: the headline, then its steps collapsed except the one that shows it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lab import registry
from lab.cards import open_step_key, render_report
from lab.recorder import Recorder


class Steps(HTMLParser):
    """The report's steps in order: (key, open?), and how many onion drawings sit in open steps."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[tuple[str, bool]] = []
        self.stack: list[bool] = []  # for each open <details>: is it an open step?
        self.open_drawings = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            is_step = "lab-step" in (attrs.get("class") or "").split()
            if is_step:
                self.steps.append((attrs["data-step"], "open" in attrs))
            self.stack.append(is_step and "open" in attrs)
        if tag == "svg" and "onion" in (attrs.get("class") or "").split() and any(self.stack):
            self.open_drawings += 1

    def handle_endtag(self, tag):
        if tag == "details":
            self.stack.pop()


def parse(html: str) -> Steps:
    parser = Steps()
    parser.feed(html)
    return parser


def test_only_the_focus_step_is_open(run_demo):
    lab = run_demo("middleware.onion")
    steps = parse(render_report(registry.get("middleware.onion"), lab)).steps
    assert [key for key, is_open in steps if is_open] == [lab.focus_key]
    assert len(steps) == len(lab.steps) > 1


def test_without_a_focus_the_last_step_is_open():
    lab = Recorder()
    for label in ("one", "two", "three"):
        with lab.section(label):
            pass
    assert open_step_key(lab) == "three"
    assert open_step_key(None) == "" and open_step_key(Recorder()) == ""


def test_the_headline_comes_before_every_step(run_demo):
    html = render_report(registry.get("orm.lazy"), run_demo("orm.lazy"))
    assert html.index("data-headline") < html.index("data-step=")


def test_the_onion_shows_one_drawing_of_the_order(run_demo):
    """The headline states the order; one drawing shows it; the event list and the second request wait."""
    lab = run_demo("middleware.onion")
    html = render_report(registry.get("middleware.onion"), lab)
    assert parse(html).open_drawings == 1
    assert html.count('class="onion"') == 2  # the second request's drawing is there, in a collapsed step


def test_a_long_list_in_the_open_step_waits_behind_a_click(run_demo):
    lab = run_demo("caching.stampede")
    assert len(lab.get(lab.focus_key).cache_ops) > 4
    html = render_report(registry.get("caching.stampede"), lab)
    focus = html[html.index("data-focus") :]
    assert re.search(r'<details class="lab-more"><summary>Every call <span class="muted">\(\d+\)', focus)


def test_the_backends_demo_is_quick_by_default_and_heavy_only_when_asked(run_demo):
    """caching.backends took 6-8 s by default once; now 100 set+get pairs per backend, up to 1,000 on request."""
    form = registry.get("caching.backends").form()
    assert form.fields["ops"].initial == 100 and form.fields["ops"].max_value == 1000
    lab = run_demo("caching.backends")
    assert lab.wall_ms < 2000, f"the default run took {lab.wall_ms:.0f} ms"  # about 0.5 s here; 2 s for a busy CI
