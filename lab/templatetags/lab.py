"""Filters for lab reports."""

from __future__ import annotations

from typing import Any

from django import template

from .. import render

register = template.Library()

CACHE_HEADERS = {"cache-control", "expires", "vary", "age", "etag", "last-modified", "set-cookie"}


@register.filter
def ms(value: float | None) -> str:
    """Milliseconds, with as many digits as the size deserves."""
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 1:
        return f"{value:.1f} ms"
    return f"{value * 1000:.0f} µs"


@register.filter
def show(value: Any) -> str:
    """Python values as a learner would see them in a shell (repr), strings as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, (set, frozenset)) and not value:
        return "set()" if isinstance(value, set) else "frozenset()"
    return repr(value)


@register.filter
def sql_params(params) -> str:
    """The params a statement was sent with, as a tuple a reader would write."""
    if isinstance(params, dict):
        return repr(params)
    return repr(render.plain_params(params))


@register.filter
def sql_html(sql: str):
    return render.highlight_sql(sql)


@register.filter
def python_html(code: str):
    return render.highlight_python(code)


@register.filter
def strip_chart(series):
    return render.strip_chart(list(series))


@register.filter
def signal_count(events) -> int:
    return sum(1 for e in events if e.kind == "signal")


@register.filter
def field_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label or name) if field else name


@register.filter
def is_cache_header(name: str) -> bool:
    return name.lower() in CACHE_HEADERS


@register.filter
def linecount(text: str) -> int:
    """How many lines a piece of code has (a report collapses long ones)."""
    return len(str(text).rstrip("\n").splitlines())


@register.filter
def header_count(step) -> int:
    """Request plus response headers a step shows (a report collapses a long list)."""
    return len(step.request_headers) + len(step.response_headers)


@register.filter
def sql_linecount(step) -> int:
    """How many lines the step's SQL takes once formatted (a report collapses long SQL)."""
    return sum(len(render.format_sql(q.display).splitlines()) for q in step.queries)
