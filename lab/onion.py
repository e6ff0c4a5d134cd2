"""The onion, drawn: one request's trace through a middleware stack as nested rings, numbered in the order it ran.

Each ring is a layer, outermost first. Its top edge says when the request went
in (and on which thread, for an async handler); its bottom edge says when the
response came out, with the status it saw and the headers it added (+),
changed (~) or removed (−). The core lists what happened inside the innermost
handler: URL resolution, the process_* hooks, the view. Numbers follow the
trace, so the drawing is the sequence: a report shows it once, with the full
event list (every header value) folded beneath it.

    step.figure(ONION_CAPTION, onion_svg(["A", "B", "C"], step.trace), kind="onion")
"""

from __future__ import annotations

import textwrap

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .events import TraceEvent

ONION_CAPTION = "The onion this request went through"

RING_GAP_X = 14
BAND = 22
DEEP = 8  # past this many layers, rings are drawn closer so the core keeps room for its text
WIDTH = 640
LINE = 16  # one line of the core's text
CHAR_PX = 7.3  # 12px monospace is about 7.3px a character

INNER = {"process_view", "process_exception", "process_template_response", "ran", "exception"}


def numbered(trace: list[TraceEvent]) -> list[tuple[int, TraceEvent]]:
    """The request's events, numbered from 1 in the order they ran (building the chain is not part of a request)."""
    return list(enumerate((e for e in trace if e.phase != "init"), start=1))


def onion_svg(names: list[str], trace: list[TraceEvent]) -> SafeString:
    """Nested rings for `names` (outermost first), labelled from `trace`, then the event list under a fold.

    A layer the request never entered is dashed; one that removed itself
    (MiddlewareNotUsed, an "init" event) is left out and named below.
    """
    unused = {e.layer for e in trace if e.phase == "init" and e.note.startswith("MiddlewareNotUsed")}
    events = numbered(trace)
    ins = {e.layer: (n, e) for n, e in events if e.phase == "in"}
    outs = {e.layer: (n, e) for n, e in events if e.phase == "out"}
    layers = [n for n in names if n not in unused]
    gap, band = (RING_GAP_X, BAND) if len(layers) <= DEEP else (8, 18)
    rings = []
    for depth, name in enumerate(layers):
        x = depth * gap
        width = WIDTH - 2 * x
        rings.append(
            {
                "x": x,
                "y": depth * band,
                "w": width,
                "entered": name in ins,
                "label": _fit(_in_label(name, ins.get(name)), width),
                "out": _fit(_out_label(outs.get(name)), width),
                "status": outs[name][1].status if name in outs else None,
            }
        )
    depth = len(layers)
    core_w = WIDTH - 2 * depth * gap
    lines = _core_lines(events, core_w)
    core_h = max(2 * BAND, len(lines) * LINE + 14)
    height = 2 * depth * band + core_h
    for ring in rings:
        ring["h"] = height - 2 * ring["y"]
        ring["text_y"] = ring["y"] + band - 7
        ring["out_y"] = ring["y"] + ring["h"] - 6
    core_x, core_y = depth * gap, depth * band
    core = {
        "x": core_x,
        "y": core_y,
        "w": core_w,
        "h": core_h,
        "entered": "view" in ins,
        "lines": [{"text": text, "y": core_y + 20 + i * LINE} for i, text in enumerate(lines)],
    }
    return render_to_string(
        "lab/onion.html",
        {
            "rings": rings,
            "core": core,
            "width": WIDTH,
            "height": height,
            "unused": sorted(unused & set(names)),
            "events": events,
        },
    )


def _in_label(name: str, entered: tuple[int, TraceEvent] | None) -> str:
    if entered is None:
        return f"→ {name} (never reached)"
    n, event = entered
    note = f" · {event.note}" if event.note else ""  # the mode and thread, under an async handler
    return f"{n} → {name}{note}"


def _out_label(out: tuple[int, TraceEvent] | None) -> str:
    if out is None:
        return "never saw a response"
    n, event = out
    parts = [f"{n} ← {event.status}"]
    parts += [f"+{k}" for k in event.added]
    parts += [f"~{k}" for k in event.changed]
    parts += [f"−{k}" for k in event.removed]
    return " ".join(parts)


def _core_lines(events: list[tuple[int, TraceEvent]], width: int) -> list[str]:
    """What happened inside the innermost handler, in order, wrapped to the core's width."""
    words = [f"{n} {_inner_label(e)}" for n, e in events if e.layer == "view" or e.phase in INNER]
    if not words:
        return ["not reached: a layer above answered"]
    room = max(12, int((width - 20) / CHAR_PX))
    lines: list[str] = []
    for word in words:  # an event is never split across two lines
        if lines and len(lines[-1]) + 3 + len(word) <= room:
            lines[-1] += " · " + word
        else:
            lines.extend(textwrap.wrap(word, room) or [""])
    return lines


def _inner_label(event: TraceEvent) -> str:
    if event.layer == "view" and event.phase == "in":
        return "resolve the URL"
    if event.layer == "view" and event.phase == "out":
        return f"→ {event.status}"
    if event.phase == "ran":
        return f"{event.layer}() ran"
    if event.phase == "exception":  # got_request_exception, from the handler
        return f"raised {event.note.partition(':')[0]}"
    hook = f"{event.layer}.{event.phase}"
    if event.phase == "process_view" and event.status:
        return f"{hook} answered {event.status}: view skipped"
    if event.phase == "process_exception" and event.status:
        return f"{hook} answered {event.status}"
    return hook


def _fit(label: str, width: int) -> str:
    """Shorten a label to the ring's width; the full text is in the event list under the drawing."""
    room = max(8, int((width - 20) / CHAR_PX))
    return label if len(label) <= room else label[: room - 1] + "…"
