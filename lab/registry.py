"""The demo registry: every runnable demo, by slug.

A demo is a small function `fn(lab, data)` that does one thing to the sandbox
and lets the lab recorder see it. `data` is the cleaned data of the demo's form
(its inputs, declared as a Django form, so validation is Django's).

    @demo("orm.lazy", title="When does a queryset hit the database?", form=LazyForm)
    def lazy(lab, data):
        step = lab.step("Evaluate it", partial(well_rated_books, data["rating"]))
        lab.headline(f"{len(step.queries)} query", focus=step)
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


@dataclass(frozen=True)
class Prediction:
    """A question the card asks before Run, graded from the run's own result (never from a stored answer).

    `answer(recorder)` returns the right choice for this run, measured: the
    query count, the order of hooks, hit or miss. `explain` says why, for a
    learner who guessed wrong; `see` is the lesson anchor that covers it.
    """

    question: str
    choices: tuple[str, ...]
    answer: Callable[[Any], str]
    explain: str = ""
    see: str = ""

    def grade(self, recorder: Any, given: str) -> tuple[bool, str]:
        """(right?, the measured answer)."""
        actual = self.answer(recorder)
        if not self.choices:  # a number field: "6", "6.0" and " 6 " are the same prediction
            return _same_number(given, actual), actual
        return given == actual, actual


def _same_number(given: str, actual: Any) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(given).strip()) == Decimal(str(actual).strip())
    except InvalidOperation:
        return str(given).strip() == str(actual).strip()


class NoInputs(forms.Form):
    """For demos with nothing to choose: just a Run button."""


@dataclass(frozen=True)
class Demo:
    slug: str
    title: str
    func: Callable[..., Any]
    form_class: type[forms.Form] = NoInputs
    description: str = ""
    # Writes run in a transaction that is rolled back, unless the demo needs a
    # real commit (on_commit, threads); then it must clean up its own rows,
    # tagged with the learner's id.
    commits: bool = False
    time_limit: float | None = None
    # Report sections the run is expected to produce; browser tests check them.
    reports: tuple[str, ...] = field(default_factory=tuple)
    # The teaching code the card shows ("The code this demo runs"); found from the demo's own code if empty.
    shows: tuple[Any, ...] = field(default_factory=tuple)
    # Questions the card asks before Run (see Prediction); each is graded from the run.
    predictions: tuple[Prediction, ...] = field(default_factory=tuple)

    @property
    def teaching_code(self) -> list[Callable[..., Any] | type]:
        """The functions and classes of the teaching packages this demo calls, in the order it first names them."""
        return list(self.shows) or teaching_objects(self.func)

    @property
    def track(self) -> str:
        return self.slug.split(".", 1)[0]

    @property
    def dom_id(self) -> str:
        return "demo-" + self.slug.replace(".", "-")

    def form(self, data: Any = None) -> forms.Form:
        # Ids carry the demo's: two cards on one lesson page may have fields of the same name.
        return self.form_class(data=data, prefix=None, auto_id=f"{self.dom_id}-field-%s")

    def post_data(self, **overrides: Any) -> dict[str, Any]:
        """The form's initial values as a browser posts them, with `overrides` on top.

        Checkboxes are present only when ticked ("on"), model choices post their
        primary keys. Tests, the benches and the fuzzer all start from this.
        """
        form = self.form()
        data: dict[str, Any] = {}
        for name, form_field in form.fields.items():
            value = overrides.get(name, form.get_initial_for_field(form_field, name))
            if isinstance(form_field, forms.BooleanField) or isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, list | tuple):
                data[name] = [getattr(v, "pk", v) for v in value]
            elif value is not None:
                data[name] = getattr(value, "pk", value)
        data.update({name: value for name, value in overrides.items() if name not in form.fields})
        return data


_registry: dict[str, Demo] = {}
_teaching_packages: set[str] = set()


def show_code_from(package: str) -> None:
    """Demo cards show the functions of `package` that a demo calls (the demos app names the bookshop)."""
    _teaching_packages.add(package)


def _is_teaching(obj: Any) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return any(module == p or module.startswith(p + ".") for p in _teaching_packages)


def teaching_objects(func: Callable[..., Any]) -> list[Any]:
    """Teaching functions that `func` names, following helpers of its own module (but not into teaching code)."""
    found: list[Any] = []
    seen_code: set[types.CodeType] = set()

    def walk(code: types.CodeType, namespace: dict[str, Any]) -> None:
        if code in seen_code:
            return
        seen_code.add(code)
        for name in code.co_names:
            obj = namespace.get(name)
            if obj is None:
                continue
            target = inspect.unwrap(obj) if callable(obj) else obj
            if inspect.isfunction(target) and _is_teaching(target):
                if target not in found:
                    found.append(target)
            elif inspect.isfunction(target) and target.__module__ == func.__module__:
                walk(target.__code__, target.__globals__)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const, namespace)

    walk(func.__code__, func.__globals__)
    return found


def demo(
    slug: str,
    *,
    title: str,
    form: type[forms.Form] = NoInputs,
    description: str = "",
    commits: bool = False,
    time_limit: float | None = None,
    reports: tuple[str, ...] = (),
    shows: tuple[Any, ...] = (),
    predictions: tuple[Prediction, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the demo `slug` (e.g. "orm.lazy"; the prefix is the track)."""
    if not SLUG_RE.match(slug):
        raise ValueError(f"Demo slug {slug!r} must be lowercase words joined by '.' or '-'.")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if slug in _registry and _registry[slug].func.__qualname__ != fn.__qualname__:
            raise ValueError(f"Demo slug {slug!r} is registered twice.")
        _registry[slug] = Demo(
            slug=slug,
            title=title,
            func=fn,
            form_class=form,
            description=description or (fn.__doc__ or "").strip(),
            commits=commits,
            time_limit=time_limit,
            reports=tuple(reports),
            shows=tuple(shows),
            predictions=tuple(predictions),
        )
        return fn

    return register


def unregister(slug: str) -> None:
    _registry.pop(slug, None)


def get(slug: str) -> Demo | None:
    if not SLUG_RE.match(slug or ""):
        return None
    return _registry.get(slug)


def all_demos() -> list[Demo]:
    return sorted(_registry.values(), key=lambda d: d.slug)
