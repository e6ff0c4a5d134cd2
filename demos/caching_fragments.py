"""Caching track, lesson 5: caching part of a template with {% cache %}.

The sidebar template (templates/caching/sidebar.html) caches its list of top
books in the locmem alias, varying on the user name; the cache's KEY_FUNCTION
keeps each learner's fragments apart.
"""

from __future__ import annotations

import re
from functools import partial

from django.core.cache import caches

from lab.recorder import paused
from lab.registry import Prediction, demo
from sandbox.teaching.caching_fragments import FRAGMENT_CACHE, forget_sidebar, render_sidebar, vary_on_collisions

from .caching_kit import answer_of, facts_from


def _render(lab, label: str, key: str, user: str):
    """Render the sidebar for `user` as a step; its facts: the stamp printed inside the fragment, the queries."""
    step = lab.step(label, partial(render_sidebar, user), key=key)
    step.fact("stamp", re.search(r"rendered (\w+)", step.result).group(1), "stamp inside the fragment")
    step.fact("queries", len(step.queries), "queries")
    return step


@demo(
    "caching.fragment",
    title="{% cache %}: one fragment per user, and deleting it by key",
    description="Renders a sidebar for ann twice and bob once, then deletes ann's fragment with "
    "make_template_fragment_key and renders it again.",
    reports=("cache", "sql"),
    predictions=(
        Prediction(
            "How many queries does ann's second render run?",
            ("0", "1"),
            answer=answer_of("ann_again", "queries"),
            explain="The fragment is a hit: the cached HTML is used and the lazy queryset inside it never runs.",
            see="#demo-one-fragment-per-user",
        ),
    ),
)
def fragment(lab, data):
    lab.step("Start cold: delete ann's and bob's fragments", partial(forget_sidebar, "ann", "bob"), key="start_cold")
    ann = _render(lab, "ann: a miss", "ann_first", "ann")
    again = _render(lab, "ann again: a hit", "ann_again", "ann")
    _render(lab, "bob: his own fragment", "bob", "bob")
    with paused():
        cached_before = caches[FRAGMENT_CACHE].has_key(lab.get("start_cold").result[0])
    step = lab.step("Delete ann's fragment by its key", partial(forget_sidebar, "ann"), key="delete")
    step.fact("key", step.result[0], "make_template_fragment_key('sidebar', ['ann'])")
    step.fact("cached_before", cached_before, "in the cache before the delete")
    with paused():
        step.fact("cached_after", caches[FRAGMENT_CACHE].has_key(step.result[0]), "in the cache after the delete")
    _render(lab, "ann after the delete: rendered again", "ann_after", "ann")
    step = lab.step("vary_on values are compared as str()", vary_on_collisions, key="collisions")
    facts_from(
        step,
        {
            "none": "[None] and ['None'] share a key",
            "int": "[1] and ['1'] share a key",
            "colon": "['a:b'] and ['a', 'b'] share a key",
        },
    )
    same = again.facts["stamp"] == ann.facts["stamp"]
    lab.headline(
        f"ann's second render: {'a hit' if same else 'a miss'}, {again.facts['queries']} queries, "
        f"{'the same' if same else 'a new'} stamp ({again.facts['stamp']})",
        focus=again,
    )
