"""Version switch for caching lesson 5: `caching.fragment-pairs`, a fragment varying on two values. Django 6.1
hashes vary_on values as netstrings, so values containing ':' no longer share a key, as they do on 5.2.
"""

from functools import partial
from hashlib import md5

import django

from lab.exercises import Fail, exercise

from .caching_kit import a_fresh_cache

NETSTRING_KEYS = django.VERSION >= (6, 1)  # Django 6.1 hashes each vary_on value as a netstring

# -- caching/05: a fragment that varies on two values ---------------------------------------------

PAIRS = (("Dune:Messiah", "Emma"), ("Dune", "Messiah:Emma"))  # str() joined with ':' they are the same text
PAIR_CODE = '''from django.template import engines

TEMPLATE = """{%% load cache %%}{%% cache 300 also_liked %s %%}
Readers of {{ book.title }} also liked {{ other.title }} ({{ other.price }}).
{%% endcache %%}"""


def render_pair(book, other):
    return engines["django"].from_string(TEMPLATE).render({"book": book, "other": other})
'''

pairs = exercise(
    "caching.fragment-pairs",
    title="A fragment per pair of books, on Django 5.2 and 6.1",
    lesson="caching/05-fragments",
    prompt=(
        "`render_pair(book, other)` renders *Readers of A also liked B* through a `{% cache %}` fragment, but "
        "every pair shows the first pair's text. Make **each pair of books** get its own fragment, on Django 5.2 "
        "and on 6.1. Titles are free text: the checks render the books titled "
        f"`{PAIRS[0][0]}` and `{PAIRS[0][1]}`, then `{PAIRS[1][0]}` and `{PAIRS[1][1]}`.\n\n"
        "Try varying on the titles, then press **Both, side by side**: the run shows the fragment key each "
        "version makes from the same values."
    ),
    starter=PAIR_CODE % "",
    solution=PAIR_CODE % "book.pk other.pk",
    hints=(
        "Every argument after the fragment's name is a vary_on value: each distinct combination gets its own copy.",
        "Django 5.2 hashes str() of each value followed by ':', so a ':' inside a title can make two pairs one key.",
        "Vary on values that cannot contain the separator and are unique: `{% cache 300 also_liked book.pk "
        "other.pk %}`.",
    ),
    # Django 6.1 writes each value as a netstring: titles with a ':' no longer collide there.
    mistakes={} if NETSTRING_KEYS else {PAIR_CODE % "book.title other.title": "share one fragment key"},
    versions=("5.2", "6.1"),
)


def _books():
    """The four books of the two pairs (created in the attempt's rolled-back transaction)."""
    from sandbox.models import Book, Publisher

    publisher = Publisher.objects.create(name="Pairs Press")
    made = {}
    for title in {title for pair in PAIRS for title in pair}:
        made[title] = Book.objects.create(title=title, price=10, pages=100, rating=4, publisher=publisher)
    return [(made[a], made[b]) for a, b in PAIRS]


@pairs.check("Each pair of books gets its own fragment")
def pairs_distinct(attempt):
    first, second = _books()
    with a_fresh_cache():
        attempt.learner.render_pair(*first)
        html = attempt.learner.render_pair(*second)
    want = [book.title for book in second]
    if not all(title in html for title in want):
        raise Fail(
            f"render_pair for {want} showed {' '.join(html.split())!r}: the two pairs share one fragment key on "
            f"Django {django.get_version()}. "
            + (
                "Every argument after the fragment's name is a vary_on value; on Django 6.1 each is hashed as a "
                "netstring, so even titles with ':' give distinct keys. The pks are the safest choice on every "
                "version: {% cache 300 also_liked book.pk other.pk %}."
                if NETSTRING_KEYS
                else "Every argument after the fragment's name is a vary_on value, and Django 5.2 hashes them as "
                "str() joined with ':', so titles containing ':' can make two pairs one key. Vary on values that "
                "are unique and contain no ':': {% cache 300 also_liked book.pk other.pk %}."
            )
        )


@pairs.check("A pair rendered again is served from the cache")
def pairs_cached(attempt):
    from sandbox.models import Book

    first, _ = _books()
    book, other = first
    with a_fresh_cache():
        attempt.learner.render_pair(book, other)
        Book.objects.filter(pk=other.pk).update(price=99)
        html = attempt.learner.render_pair(book, Book.objects.get(pk=other.pk))
    if "99" in html:
        raise Fail(
            "The second render of the same pair showed the new price: it rendered again instead of coming from "
            "the cache. Keep the {% cache %} block around it."
        )


def netstring(values):
    return "".join(f"{len(str(v).encode())}:{v}," for v in values)


def colon_joined(values):
    return "".join(f"{v}:" for v in values)


def hashed_as(key, values):
    """Which encoding of `values` the md5 in Django's fragment `key` was computed from (tested, not assumed)."""
    digest = key.rsplit(".", 1)[1]
    for name, text in (("netstring", netstring(values)), ("colon-joined", colon_joined(values))):
        if md5(text.encode(), usedforsecurity=False).hexdigest() == digest:
            return f"{name}: {text!r}"
    return "neither encoding"


def fragment_keys(values_a, values_b):
    from django.core.cache.utils import make_template_fragment_key

    return make_template_fragment_key("also_liked", values_a), make_template_fragment_key("also_liked", values_b)


@pairs.run
def pairs_show(lab, attempt):
    first, second = _books()
    with a_fresh_cache():
        for key, (book, other) in (("first", first), ("second", second)):
            step = lab.step(
                f"render_pair({book.title!r}, {other.title!r})",
                partial(attempt.learner.render_pair, book, other),
                key=key,
            )
            step.fact("html", " ".join(step.result.split()), "Rendered")
    keys = lab.step(
        f"The fragment keys of the two pairs' titles, {list(PAIRS[0])} and {list(PAIRS[1])}",
        partial(fragment_keys, list(PAIRS[0]), list(PAIRS[1])),
        key="keys",
    )
    key_a, key_b = keys.result
    keys.fact("django", django.get_version(), "Django")
    keys.fact("key_a", key_a, f"Key of {list(PAIRS[0])}")
    keys.fact("key_b", key_b, f"Key of {list(PAIRS[1])}")
    keys.fact("hashed_a", hashed_as(key_a, PAIRS[0]), f"Django hashed {list(PAIRS[0])} as")
    keys.fact("same_key", key_a == key_b, "Same key")
    second_html = lab.get("second").facts["html"]
    lab.headline(
        f"Django {django.get_version()}: {list(PAIRS[0])} and {list(PAIRS[1])} "
        f"{'share one fragment key' if key_a == key_b else 'get different fragment keys'}; "
        f"your second pair rendered {second_html!r}",
        focus=keys,
    )
