"""Caching, lesson 1: a CACHES setting, checked by what its caches do."""

from contextlib import contextmanager

from django.core.cache import caches
from django.test.utils import override_settings

from lab.exercises import Fail, exercise

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"

SOLUTION = """CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "KEY_PREFIX": "shop",
        "TIMEOUT": 60,
    },
    "reports": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "reports",
        "TIMEOUT": None,
        "VERSION": 2,
    },
}
"""

ex = exercise(
    "caching.caches-setting",
    title="Two caches in one CACHES setting",
    lesson="caching/01-backends",
    prompt=(
        "Write a `CACHES` setting with two aliases, both local memory (the only backend in your browser):\n\n"
        "- `default`: every key is stored as `shop:<version>:<key>`, and entries live **60 seconds**;\n"
        "- `reports`: entries **never expire**, and its keys are at **version 2** (so a deploy can retire them).\n\n"
        "`clear()` on one alias must leave the other's entries alone. The checks install your setting with "
        "`override_settings(CACHES=...)` and use both caches."
    ),
    starter="""CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    },
}
""",
    solution=SOLUTION,
    hints=(
        "`KEY_PREFIX`, `TIMEOUT` and `VERSION` are keys of an alias's dictionary, next to `BACKEND`.",
        "`TIMEOUT: 0` expires an entry at once; `None` keeps it until it is evicted or deleted.",
        "Local-memory caches with the same `LOCATION` (or none) share one store, so `clear()` empties both: "
        "give each alias its own `LOCATION`.",
    ),
    mistakes={
        SOLUTION.replace('"TIMEOUT": None', '"TIMEOUT": 0'): "0 expires an entry at once",
        SOLUTION.replace('"LOCATION": "reports"', '"LOCATION": "pages"'): "clear() on reports emptied default",
    },
)


@contextmanager
def installed(attempt):
    setting = getattr(attempt.learner, "CACHES", None)
    if not isinstance(setting, dict):
        raise Fail("Define CACHES as a dictionary of aliases, like the starter does.")
    missing = {"default", "reports"} - set(setting)
    if missing:
        raise Fail(f"CACHES has no {' and no '.join(sorted(missing))} alias.")
    if any(config.get("BACKEND") != LOCMEM for config in setting.values()):
        raise Fail(f"Use {LOCMEM} for every alias: your browser has no other cache server.")
    with override_settings(CACHES=setting):
        try:
            yield caches["default"], caches["reports"]
        finally:
            caches["default"].clear()
            caches["reports"].clear()


@ex.check("default: keys shop:1:<key>, kept for 60 seconds")
def default_alias(attempt):
    with installed(attempt) as (default, _):
        key = default.make_key("books")
        if key != "shop:1:books":
            raise Fail(f"default stores the key 'books' as {key!r}, not 'shop:1:books': set KEY_PREFIX.")
        if default.default_timeout != 60:
            raise Fail(f"default keeps entries for {default.default_timeout!r} seconds, not 60: set TIMEOUT.")


@ex.check("reports: entries never expire, at version 2")
def reports_alias(attempt):
    with installed(attempt) as (_, reports):
        if reports.default_timeout is not None:
            seconds = reports.default_timeout
            extra = " (0 expires an entry at once; None means never)" if seconds == 0 else ""
            raise Fail(f"reports keeps entries for {seconds!r} seconds{extra}.")
        reports.set("total", 42)
        if reports.get("total") != 42:
            raise Fail("reports.get('total') did not return what reports.set('total', 42) stored.")
        if not reports.make_key("total").endswith(":2:total"):
            raise Fail(f"reports stores 'total' as {reports.make_key('total')!r}: set VERSION to 2.")


@ex.check("Two separate stores: clear() on one leaves the other")
def separate(attempt):
    with installed(attempt) as (default, reports):
        default.set("page", "kept")
        reports.clear()
        if default.get("page") != "kept":
            raise Fail(
                "clear() on reports emptied default too: both aliases use the same local-memory store. "
                "Give each its own LOCATION."
            )


@ex.run
def show(lab, attempt):
    def keys_and_timeouts():
        with installed(attempt) as (default, reports):
            default.set("books", ["..."])
            return {
                "default stores 'books' as": default.make_key("books"),
                "default timeout (s)": default.default_timeout,
                "reports stores 'total' as": reports.make_key("total"),
                "reports timeout (s)": reports.default_timeout,
            }

    step = lab.step("Install CACHES and ask each alias", keys_and_timeouts)
    for name, value in step.result.items():
        step.fact(name, value, name)
    stored_as = step.result["default stores 'books' as"]
    lab.headline(f"default stores 'books' as {stored_as!r} for {step.result['default timeout (s)']} s")
