"""Caching track, lesson 5: caching part of a template with {% cache %}.

The sidebar template (templates/caching/sidebar.html) caches its list of top
books in the locmem alias, varying on the learner's id and the user name,
so each learner and user gets a fragment of their own.
"""

from __future__ import annotations

import re
import secrets

from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.template.loader import get_template

from lab.registry import demo
from sandbox.models import Book

ALIAS = "locmem"  # the template's using="locmem"


def render_sidebar(learner: str, user: str) -> tuple[str, str]:
    """Render the sidebar; return the HTML and the stamp printed inside the cached fragment."""
    html = get_template("caching/sidebar.html").render(
        {
            "learner": learner,
            "user": user,
            "top_books": Book.objects.order_by("-rating", "pk")[:5],  # lazy: only a miss runs the query
            "stamp": lambda: secrets.token_hex(4),  # called only when the fragment renders
        }
    )
    return html, re.search(r"rendered (\w+)", html).group(1)


@demo(
    "caching.fragment",
    title="{% cache %}: one fragment per user, and deleting it by key",
    description="Renders a sidebar for ann twice and bob once, then deletes ann's fragment with "
    "make_template_fragment_key and renders it again.",
    reports=("cache", "sql"),
)
def fragment(lab, data):
    cache = caches[ALIAS]
    ann_key = make_template_fragment_key("sidebar", [lab.learner, "ann"])
    with lab.step("Start cold: delete this learner's fragments", code="cache.delete(make_template_fragment_key(...))"):
        cache.delete_many([ann_key, make_template_fragment_key("sidebar", [lab.learner, "bob"])])
    for label, user in [("ann: a miss", "ann"), ("ann again: a hit", "ann"), ("bob: his own fragment", "bob")]:
        with lab.step(label, code=f"template.render({{'user': {user!r}, ...}})") as step:
            step.fact("stamp", render_sidebar(lab.learner, user)[1])
            step.fact("queries", len(step.queries))
    with lab.step(
        "Delete ann's fragment by its key",
        code='key = make_template_fragment_key("sidebar", [learner, "ann"])\ncache.delete(key)',
    ) as step:
        step.fact("key", ann_key)
        step.fact("in the cache before delete", cache.has_key(ann_key))
        cache.delete(ann_key)
        step.fact("in the cache after delete", cache.has_key(ann_key))
    with lab.step("ann after the delete: rendered again") as step:
        step.fact("stamp", render_sidebar(lab.learner, "ann")[1])
        step.fact("queries", len(step.queries))
    with lab.step(
        "vary_on values are compared as str()",
        code='make_template_fragment_key("f", [None]) == make_template_fragment_key("f", ["None"])',
    ) as step:
        key = make_template_fragment_key
        step.fact("[None] and ['None'] share a key", key("f", [None]) == key("f", ["None"]))
        step.fact("['a:b'] and ['a', 'b'] share a key", key("f", ["a:b"]) == key("f", ["a", "b"]))
        step.fact("[1] and ['1'] share a key", key("f", [1]) == key("f", ["1"]))
