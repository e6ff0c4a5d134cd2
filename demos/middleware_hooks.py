"""Middleware demos, part 3: the other hooks (M2) and errors inside the onion (M3).

A, B and C (sandbox.example_middleware) log every hook they run; query parameters
ask one of them, by name, to answer early, handle an exception or raise. The
trace of each request is drawn once, as the onion; facts state what the
lesson's sentences say (the status each layer saw, which hooks ran).
"""

from __future__ import annotations

from django import forms

from lab.recorder import TraceEvent
from lab.registry import Prediction, demo
from sandbox import example_middleware
from sandbox.endpoints import middleware as endpoints

from .middleware_kit import (
    ABC,
    draw_onion,
    exchange,
    joined,
    layers_in,
    middleware_setting,
    run_child,
    setting_lines,
    statuses,
    summary,
)
from .middleware_propagate import PATH as PROPAGATE_PATH

LAYERS = [("A", "A (outermost)"), ("B", "B"), ("C", "C (innermost)")]

HOOK_SCENARIOS = {
    "short_view": (
        "process_view returns a response (at the chosen layer)",
        "/sandbox/middleware/hooks/?short_view={layer}",
    ),
    "handle_exc": ("The view raises; process_exception handles it", "/sandbox/middleware/boom/?handle_exc={layer}"),
    "template": ("A TemplateResponse each layer edits", "/sandbox/middleware/tr/"),
    "no_match": ("A URL that matches no view", "/sandbox/middleware/no-such-page/"),
    "plain": ("A plain view", "/sandbox/middleware/hooks/"),
}


class HooksForm(forms.Form):
    scenario = forms.ChoiceField(choices=[(k, v[0]) for k, v in HOOK_SCENARIOS.items()], initial="short_view")
    layer = forms.ChoiceField(
        choices=LAYERS,
        initial="B",
        label="Which layer answers in process_view or handles the error (first two scenarios)",
    )


def _view_ran(lab) -> str:
    step = lab.get("request")
    return "Yes" if any(e.phase == "ran" for e in step.trace) else "No"


NO_RESPONSE = "None: the exception passed through A"


def _a_saw(lab) -> str:
    seen = statuses(lab.get("request").trace).get("A")
    return str(seen) if seen is not None else NO_RESPONSE


@demo(
    "middleware.hooks",
    title="process_view, process_exception, process_template_response",
    form=HooksForm,
    reports=("headers",),
    shows=(
        example_middleware.LoggingMiddleware,
        endpoints.hooks,
        endpoints.boom,
        endpoints.touched,
    ),
    predictions=(
        Prediction(
            "Does the view's own code run?",
            ("Yes", "No"),
            answer=_view_ran,
            explain="A response from process_view skips the later process_view hooks and the view; a URL that "
            "matches nothing never reaches a view.",
            see="#where-the-hooks-sit",
        ),
        Prediction(
            "Which status does A, the outermost layer, see on the way out?",
            ("200", "404", "500"),
            answer=_a_saw,
            explain="A process_exception that returns a response turns the error into that response for every "
            "layer above the view; an unresolved URL is a 404 before any hook runs.",
            see="#where-the-hooks-sit",
        ),
    ),
)
def hooks(lab, data):
    """MIDDLEWARE = [A, B, C]; one request. Watch which hooks run, in which order, and which are skipped."""
    path = HOOK_SCENARIOS[data["scenario"]][1].format(layer=data["layer"])
    with lab.section("Send one request through A, B and C", key="request", code=middleware_setting(ABC)) as s:
        result = exchange(s, ABC, path)
        s.fact("statuses", summary(statuses(s.trace)), "Status each layer saw")
        s.fact("body", result.body.decode(), "Body")
    lab.headline(_hooks_headline(s.trace, s.facts["body"]), focus=s)


def _hooks_headline(trace: list[TraceEvent], body: str) -> str:
    views = layers_in(trace, "process_view")
    answered = [e.layer for e in trace if e.phase in {"process_view", "process_exception"} and e.status]
    exceptions = layers_in(trace, "process_exception")
    templates = layers_in(trace, "process_template_response")
    ran = any(e.phase == "ran" for e in trace)
    if not views:
        return f"No URL matched: no process_view, no process_exception; every layer saw {statuses(trace).get('A')}"
    parts = [f"process_view ran {joined(views)}"]
    if answered and not exceptions:
        parts.append(f"{answered[0]} answered, so the view never ran")
    elif ran:
        parts.append("the view ran")
    if exceptions:
        stop = f"{answered[0]} answered" if answered else "none answered"
        parts.append(f"process_exception ran {joined(exceptions)} and {stop}")
    if templates:
        parts.append(f"process_template_response ran {joined(templates)}: {body.strip()}")
    parts.append(f"out {joined(layers_in(trace, 'out'))}")
    return "; ".join(parts)


ERROR_SCENARIOS = {
    "view_raises": ("The view raises RuntimeError", "/sandbox/middleware/boom/"),
    "middleware_raises": (
        "A middleware raises RuntimeError in __call__",
        "/sandbox/middleware/hooks/?raise_in={layer}",
    ),
    "inner_404": ("A middleware raises Http404 in __call__", "/sandbox/middleware/hooks/?http404_in={layer}"),
    "propagate": ("The view raises, with DEBUG_PROPAGATE_EXCEPTIONS on (separate process)", PROPAGATE_PATH),
}


class ErrorsForm(forms.Form):
    scenario = forms.ChoiceField(choices=[(k, v[0]) for k, v in ERROR_SCENARIOS.items()], initial="view_raises")
    layer = forms.ChoiceField(
        choices=LAYERS, initial="C", label="Which middleware raises (the two middleware scenarios)"
    )


def _caught(lab) -> str:
    return "Yes" if lab.get("request").facts["caught"] else "No"


@demo(
    "middleware.errors",
    title="Errors inside the onion",
    form=ErrorsForm,
    reports=("headers",),
    shows=(example_middleware.LoggingMiddleware.__call__, endpoints.boom),
    predictions=(
        Prediction(
            "Does the try/except around get_response in A, B and C catch the error?",
            ("Yes", "No"),
            answer=_caught,
            explain="convert_exception_to_response turns the exception into a response at every layer boundary, "
            "so get_response returns; only DEBUG_PROPAGATE_EXCEPTIONS lets it escape.",
            see="#every-layer-boundary-converts-exceptions",
        ),
        Prediction(
            "Which status does A, the outermost layer, see on the way out?",
            ("404", "500", NO_RESPONSE),
            answer=_a_saw,
            explain="The status is decided where the exception is raised: Http404 becomes a 404, anything "
            "unexpected a 500, and outer layers only see that response.",
            see="#every-layer-boundary-converts-exceptions",
        ),
    ),
)
def errors(lab, data):
    """MIDDLEWARE = [A, B, C]; something raises. Layers above get a response, not the exception (unless it propagates)."""
    if data["scenario"] == "propagate":
        s = propagate(lab)
    else:
        path = ERROR_SCENARIOS[data["scenario"]][1].format(layer=data["layer"])
        with lab.section("Send one request through A, B and C", key="request", code=middleware_setting(ABC)) as s:
            result = exchange(s, ABC, path, loggers=("sandbox.onion", "django.request"))
            _error_facts(s, result.logged("sandbox.onion"), result.logged("django.request"))
    lab.headline(_errors_headline(s), focus=s)


def _error_facts(step, onion_log: list[str], request_log: list[str]) -> None:
    """The facts both kinds of run state: what each layer saw, which hooks ran, what was caught, signalled and logged."""
    step.fact("statuses", summary(statuses(step.trace)) or "(no layer saw a response)", "Status each layer saw")
    step.fact("process_exception", joined(layers_in(step.trace, "process_exception")), "process_exception ran")
    step.fact("caught", sum(line.endswith(".caught") for line in onion_log), "try/except around get_response fired")
    step.fact("signals", sum(e.layer == "handler" for e in step.trace), "got_request_exception sent")
    step.fact("django_request_log", "; ".join(request_log) or "(nothing)", "django.request logged")


PROPAGATE_SETTINGS = {"DEBUG_PROPAGATE_EXCEPTIONS": True}


def propagate(lab):
    """The same failing view with DEBUG_PROPAGATE_EXCEPTIONS on, run in a fresh process (the setting is global)."""
    setting = setting_lines(PROPAGATE_SETTINGS)
    label = "Send one request, exceptions propagating (a process of its own)"
    with lab.section(label, key="request", code=middleware_setting(ABC, *setting)) as s:
        child = run_child(lab, "demos.middleware_propagate", {"settings": PROPAGATE_SETTINGS})
        s.code = middleware_setting(ABC, *setting, child["request_line"])
        s.trace.extend(TraceEvent(**event) for event in child["trace"])
        s.error_type, _, s.error = child["escaped"].partition(": ")
        draw_onion(s, ["A", "B", "C"])
        s.fact("escaped", child["escaped"], "Escaped the handler")
        _error_facts(s, child["log"]["sandbox.onion"], child["log"]["django.request"])
    return s


def _errors_headline(step) -> str:
    if "escaped" in step.facts:
        return (
            f"{step.facts['escaped']} escaped the handler: try/except fired {step.facts['caught']} times, "
            f"got_request_exception was sent {step.facts['signals']} times, no layer saw a response"
        )
    raised = [e.layer for e in step.trace if e.phase == "in"][-1]
    seen = statuses(step.trace)
    if not seen:
        outer = "no layer above it saw a response"
    elif len(set(seen.values())) == 1:
        outer = f"{joined(list(seen))} saw {next(iter(seen.values()))}"  # in the order they saw it, inside out
    else:
        outer = ", ".join(f"{layer} saw {status}" for layer, status in seen.items())
    where = "The view" if raised == "view" else raised
    return f"{where} raised: {outer}; try/except around get_response fired {step.facts['caught']} times"
