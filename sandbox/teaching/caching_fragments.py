"""Caching, lesson 5: a template fragment cached per user, its key, and deleting it.

The template (templates/caching/sidebar.html) caches its list of top books with
`{% cache 60 sidebar user using="locmem" %}`: one fragment per user name.
"""

from __future__ import annotations

import secrets

from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.template.loader import get_template

from ..models import Book

FRAGMENT_CACHE = "locmem"  # the template's using="locmem"


def new_stamp() -> str:
    """Printed inside the fragment: a new value each time the fragment is really rendered."""
    return secrets.token_hex(4)


def render_sidebar(user: str) -> str:
    return get_template("caching/sidebar.html").render(
        {
            "user": user,
            "top_books": Book.objects.order_by("-rating", "pk")[:5],  # lazy: only a miss runs the query
            "stamp": new_stamp,  # a callable: the template calls it only when the fragment renders
        }
    )


def forget_sidebar(*users: str) -> list[str]:
    """Delete these users' sidebar fragments: the same name, vary_on values and alias as the template."""
    keys = [make_template_fragment_key("sidebar", [user]) for user in users]
    caches[FRAGMENT_CACHE].delete_many(keys)
    return keys


def vary_on_collisions() -> dict[str, bool]:
    """vary_on values are turned into text with str() and joined with ":" before hashing."""
    key = make_template_fragment_key
    return {
        "[None] and ['None'] share a key": key("f", [None]) == key("f", ["None"]),
        "[1] and ['1'] share a key": key("f", [1]) == key("f", ["1"]),
        "['a:b'] and ['a', 'b'] share a key": key("f", ["a:b"]) == key("f", ["a", "b"]),
    }
