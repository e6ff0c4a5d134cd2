"""The onion drawing (lab.onion): numbered in the order the trace ran, one event never split across lines."""

import re

from lab.events import TraceEvent
from lab.onion import _core_lines, numbered, onion_svg


def trace_through(names, hooks=()):
    events = [TraceEvent(n, "init") for n in reversed(names)]
    events += [TraceEvent(n, "in") for n in names]
    events += [TraceEvent("view", "in"), *[TraceEvent(n, "process_view") for n in hooks], TraceEvent("home", "ran")]
    events += [TraceEvent("view", "out", status=200)]
    events += [TraceEvent(n, "out", status=200, added={f"X-{n}": "1"}) for n in reversed(names)]
    return events


def test_events_are_numbered_from_one_in_the_order_they_ran_leaving_out_building_the_chain():
    trace = trace_through(["A", "B"])
    assert [(n, e.layer, e.phase) for n, e in numbered(trace)][:3] == [
        (1, "A", "in"),
        (2, "B", "in"),
        (3, "view", "in"),
    ]


def test_each_ring_says_when_the_request_went_in_and_the_response_came_out():
    html = onion_svg(["A", "B"], trace_through(["A", "B"], hooks=["A", "B"]))
    for label in ("1 → A", "2 → B", "3 resolve the URL", "4 A.process_view", "6 home() ran", "7 → 200"):
        assert label in html, label
    assert "8 ← 200 +X-B" in html and "9 ← 200 +X-A" in html
    assert "style=" not in html  # a Content-Security-Policy without 'unsafe-inline' styles still draws it


def test_the_core_wraps_between_events_never_inside_one_that_fits_a_line():
    events = numbered(trace_through(["A"], hooks=["LongishNameHere"] * 6))
    lines = _core_lines(events, 300)
    assert len(lines) > 1
    for line in lines:
        for word in line.split(" · "):
            assert re.fullmatch(r"\d+ .+", word), line


def test_a_deep_stack_is_drawn_with_closer_rings_so_the_core_keeps_its_room():
    names = [f"L{i}" for i in range(15)]
    html = onion_svg(names, trace_through(names))
    core = re.search(r'<g class="onion__core">\s*<rect x="(\d+)" y="\d+" width="(\d+)"', html)
    assert int(core[2]) >= 640 - 2 * 15 * 8
    assert html.count('class="onion__ring"') == 15
