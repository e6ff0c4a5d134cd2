"""Turning recorded data into HTML: highlighted SQL and Python, and SVG charts."""

from __future__ import annotations

import html
import inspect
from functools import lru_cache

import sqlparse
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, SqlLexer

from .events import Series

_formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)


@lru_cache(maxsize=2048)
def format_sql(sql: str) -> str:
    return sqlparse.format(sql, reindent=True, keyword_case="upper", wrap_after=100)


@lru_cache(maxsize=2048)
def highlight_sql(sql: str, reformat: bool = True) -> SafeString:
    text = format_sql(sql) if reformat else sql
    return mark_safe(highlight(text, SqlLexer(), _formatter))


@lru_cache(maxsize=1024)
def highlight_python(code: str) -> SafeString:
    return mark_safe(highlight(code, PythonLexer(), _formatter))


def source_of(obj: object) -> tuple[str, str, int]:
    """The real source of `obj`, its file (relative to the project when possible) and first line."""
    from django.conf import settings

    target = inspect.unwrap(obj)  # type: ignore[arg-type]
    lines, start = inspect.getsourcelines(target)
    path = inspect.getsourcefile(target) or "?"
    base = str(settings.BASE_DIR) + "/"
    if path.startswith(base):
        path = path[len(base) :]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    return _dedent(lines), path, max(start, 1)  # a module's source starts at line 0


def _dedent(lines: list[str]) -> str:
    import textwrap

    return textwrap.dedent("".join(lines)).rstrip() + "\n"


def strip_chart(series: list[Series], unit: str = "ms", width: int = 640) -> SafeString:
    """A box-and-strip plot of repeated timings, one row per series, drawn as SVG.

    Every trial is a dot; the box spans the 25th-75th percentile; the thick line
    is the median, printed at the right. The axis is logarithmic when the
    slowest median is over 20 times the fastest, so both stay readable.
    """
    if not series or not any(s.samples for s in series):
        return mark_safe("")
    row_h, top, left, right = 34, 14, 150, 120
    height = top + row_h * len(series) + 26
    plot_w = width - left - right
    values = [v for s in series for v in s.samples]
    lo, hi = max(min(values), 1e-4), max(max(values), 1e-3)
    medians = [s.median for s in series if s.samples]
    use_log = min(medians) > 0 and max(medians) / max(min(medians), 1e-9) > 20

    import math

    def x(v: float, clamp: bool = True) -> float:
        if use_log:
            a, b = math.log10(lo), math.log10(hi)
            pos = (math.log10(max(v, lo) if clamp else v) - a) / ((b - a) or 1)
        else:
            pos = (v - 0) / (hi or 1)
        return left + pos * plot_w

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="Timings in {unit}: '
        + html.escape("; ".join(f"{s.label} median {s.median:.3g} {unit}" for s in series))
        + '" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, s in enumerate(series):
        cy = top + i * row_h + row_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{cy + 4}" text-anchor="end" class="chart-label">{html.escape(s.label)}</text>'
        )
        if not s.samples:
            continue
        q1, q3 = x(s.quantile(0.25)), x(s.quantile(0.75))
        parts.append(
            f'<line x1="{x(s.low):.1f}" x2="{x(s.high):.1f}" y1="{cy}" y2="{cy}" class="chart-whisker"/>'
            f'<rect x="{q1:.1f}" y="{cy - 9}" width="{max(q3 - q1, 1):.1f}" height="18" class="chart-box chart-c{i % 4}"/>'
        )
        for j, v in enumerate(s.samples):
            jitter = ((j * 7919) % 11 - 5) * 1.1
            parts.append(f'<circle cx="{x(v):.1f}" cy="{cy + jitter:.1f}" r="2.2" class="chart-dot"/>')
        m = x(s.median)
        parts.append(f'<line x1="{m:.1f}" x2="{m:.1f}" y1="{cy - 11}" y2="{cy + 11}" class="chart-median"/>')
        parts.append(f'<text x="{width - right + 8}" y="{cy + 4}" class="chart-value">{s.median:.3g} {unit}</text>')
    axis_y = top + row_h * len(series) + 4
    ticks = _ticks(lo, hi, use_log)
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" class="chart-axis"/>')
    for t in ticks:
        tx = x(t, clamp=False)  # a tick below the fastest trial is dropped, not piled up at the left edge
        if left - 1 <= tx <= left + plot_w + 1:
            parts.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis_y}" y2="{axis_y + 4}" class="chart-axis"/>'
                f'<text x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle" class="chart-tick">{t:g}</text>'
            )
    parts.append(
        f'<text x="{left + plot_w}" y="{axis_y + 16}" dx="40" class="chart-tick">{unit}{" (log)" if use_log else ""}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _ticks(lo: float, hi: float, use_log: bool) -> list[float]:
    import math

    if use_log:
        return [10.0**e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
    step = 10 ** math.floor(math.log10(hi / 4 or 1))
    for mult in (1, 2, 5, 10):
        if hi / (step * mult) <= 6:
            step *= mult
            break
    return [round(step * k, 10) for k in range(int(hi / step) + 2)]


def plain_params(params) -> tuple:
    """SQL params as a reader would write them: psycopg 3 wraps ints in int subclasses such as Int4(1)."""
    plain = []
    for value in params:
        if isinstance(value, int) and not isinstance(value, bool) and type(value) is not int:
            value = int(value)
        elif isinstance(value, float) and type(value) is not float:
            value = float(value)
        plain.append(value)
    return tuple(plain)
