"""Every place the site marks HTML as safe escapes what it did not write itself.

The audit's list (grep mark_safe / SafeString / |safe / format_html): highlighted
SQL and Python, the strip chart, the onion SVG, the SQL diff, the toolbar link
figure, the lesson pipeline (sanitiser and directive placeholders), demo cards
and lab reports. Each gets markup where a learner's input or a database row
could reach it.
"""

from __future__ import annotations

import pytest
from django import forms

from lab.recorder import CacheOp, Query, Recorder, SignalEvent, TraceEvent

SCRIPT = '<script>alert("x")</script>'
ATTR = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x")


def assert_escaped(html: str) -> None:
    for raw in RAW:
        assert raw not in html, html[:500]


def test_highlighted_sql_and_python_escape_their_text():
    from lab.render import highlight_python, highlight_sql

    assert_escaped(highlight_sql(f"SELECT '{SCRIPT}', '{ATTR}' FROM book"))
    assert_escaped(highlight_sql(f"SELECT '{SCRIPT}'", reformat=False))
    assert_escaped(highlight_python(f"title = '{SCRIPT}'  # {ATTR}"))


def test_the_strip_chart_escapes_series_labels():
    from lab.recorder import Series
    from lab.render import strip_chart

    svg = strip_chart([Series(SCRIPT, [1.0, 2.0]), Series(ATTR, [3.0])])
    assert_escaped(svg)
    assert "&lt;script&gt;" in svg


def test_the_onion_escapes_layer_names_and_headers():
    from lab.onion import onion_svg

    trace = [
        TraceEvent(layer=SCRIPT, phase="in"),
        TraceEvent(layer=SCRIPT, phase="out", status=200, added={ATTR: SCRIPT}, removed=[SCRIPT]),
        TraceEvent(layer=ATTR, phase="init", note="MiddlewareNotUsed " + SCRIPT),
    ]
    assert_escaped(onion_svg([SCRIPT, ATTR], trace))


def test_the_sql_diff_escapes_labels_and_lines():
    from lab.sqldiff import diff_lines, sql_diff_figure

    lines = diff_lines([f"SELECT '{SCRIPT}'"], [f"SELECT '{ATTR}'"])
    assert_escaped(sql_diff_figure(SCRIPT, ATTR, lines))


def test_the_toolbar_link_figure_escapes_its_url():
    from demos.caching_backends import _toolbar_link

    assert_escaped(_toolbar_link(f"/sandbox/caching/report/?q={ATTR}"))


def test_a_report_escapes_everything_a_demo_recorded(db):
    from lab.cards import render_report
    from lab.registry import Demo

    lab = Recorder(learner="0123456789abcdef")
    with lab.step(SCRIPT, code=SCRIPT) as s:
        s.fact(SCRIPT, ATTR)
        s.fact("list", [SCRIPT, ATTR])
        s.table([SCRIPT], [[ATTR]])
        s.note(SCRIPT)
        s.figure(SCRIPT, ATTR)  # a plain str figure is text, not markup
        s.timings(SCRIPT, [1.0, 2.0])
        s.request_headers = {SCRIPT: ATTR}
        s.response_headers = {ATTR: SCRIPT}
        s.queries.append(Query(sql=SCRIPT, params=[ATTR], display=SCRIPT, alias="default", vendor="sqlite", ms=1))
        s.signals.append(SignalEvent(kind="signal", name=SCRIPT, sender=ATTR, details={SCRIPT: ATTR}, error=SCRIPT))
        s.cache_ops.append(CacheOp("default", "locmem", "get", SCRIPT, ATTR, hit=False, ms=1, result=SCRIPT))
        s.trace.append(TraceEvent(layer=SCRIPT, phase="out", status=200, added={SCRIPT: ATTR}, note=ATTR))
        s.error, s.error_type = SCRIPT, ATTR
    lab.error = SCRIPT
    demo = Demo(slug="core.xss", title=SCRIPT, func=lambda lab, data: None, description=ATTR)
    html = render_report(demo, lab, message=SCRIPT)
    assert_escaped(html)
    assert html.count("&lt;script&gt;") >= 10, "the recorded values are shown, escaped"


def test_a_demo_card_escapes_its_title_description_and_field_texts(db):
    from lab.cards import render_card
    from lab.registry import Demo

    class Hostile(forms.Form):
        name = forms.CharField(label=SCRIPT, help_text=ATTR, initial=SCRIPT)
        pick = forms.ChoiceField(choices=[(ATTR, SCRIPT)], label=ATTR)

    def func(lab, data):
        """A docstring."""

    demo = Demo(slug="core.xss", title=SCRIPT, func=func, form_class=Hostile, description=ATTR)
    html = render_card(demo, lesson_path=ATTR)
    assert_escaped(html)
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "markdown",
    [
        SCRIPT,
        ATTR,
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
        "<iframe src=//evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "`" + SCRIPT + "`",
        "```html\n" + SCRIPT + "\n```",
    ],
)
def test_the_lesson_pipeline_removes_or_escapes_markup(markdown):
    from lessons.markdown import render

    html = render(markdown).html
    assert_escaped(html)
    assert "javascript:" not in html
    assert "onload" not in html.replace("&quot;", "") or "<svg" not in html
    assert "<iframe" not in html


def test_a_directive_placeholder_cannot_be_forged_from_lesson_text(db):
    """Placeholders carry a random token per conversion: text that looks like one stays text."""
    from lessons.markdown import convert, render

    token = convert("/// demo | orm.lazy\n///\n").token
    forged = f"{token}0x and labdirective000000000000x0x"
    html = render(f"{forged}\n\n/// demo | orm.lazy\n///\n").html
    assert html.count('data-demo="orm.lazy"') == 1


def test_a_directive_naming_markup_shows_it_as_text(db):
    from lessons.markdown import render

    html = render(f"/// source | {SCRIPT}\n///\n\n/// sql | {ATTR}\n///\n\n/// demo | {SCRIPT}\n///\n").html
    assert_escaped(html)
