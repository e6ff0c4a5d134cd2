"""Middleware demos, part 2: the other hooks (M2) and errors inside the onion (M3).

A, B and C (sandbox.example_middleware) log every hook they run; query parameters
ask one of them, by name, to answer early, handle an exception or raise.
"""

from __future__ import annotations

import subprocess
import time

from django import forms

from lab.recorder import TraceEvent
from lab.registry import demo

from .middleware_kit import exchange, middleware_setting, onion_svg, statuses, summary
from .middleware_propagate import PATH as PROPAGATE_PATH
from .middleware_propagate import run_in_child

ABC = ["sandbox.example_middleware.A", "sandbox.example_middleware.B", "sandbox.example_middleware.C"]
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


@demo(
    "middleware.hooks",
    title="process_view, process_exception, process_template_response",
    form=HooksForm,
    reports=("headers",),
)
def hooks(lab, data):
    """MIDDLEWARE = [A, B, C]; one request. Watch which hooks run, in which order, and which are skipped."""
    path = HOOK_SCENARIOS[data["scenario"]][1].format(layer=data["layer"])
    with lab.step(f"GET {path}", code=middleware_setting(ABC)) as s:
        result = exchange(s, ABC, path)
        s.fact("Sequence", ", ".join(result.sequence))
        s.fact("Status each layer saw", summary(statuses(s.trace)))
        s.fact("Body", result.body.decode())


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


@demo(
    "middleware.errors",
    title="Errors inside the onion",
    form=ErrorsForm,
    reports=("headers",),
)
def errors(lab, data):
    """MIDDLEWARE = [A, B, C]; something raises. Layers above get a response, not the exception (unless it propagates)."""
    if data["scenario"] == "propagate":
        propagate(lab)
        return
    path = ERROR_SCENARIOS[data["scenario"]][1].format(layer=data["layer"])
    with lab.step(f"GET {path}", code=middleware_setting(ABC)) as s:
        result = exchange(s, ABC, path, loggers=("sandbox.onion", "django.request"))
        after = [line for line in result.log if ".after" in line]
        s.fact("Sequence", ", ".join(result.sequence))
        s.fact("What each layer logged on the way out", "; ".join(after) or "(nothing)")
        s.fact("process_exception calls", ", ".join(w for w in result.sequence if w.endswith(".exception")) or "none")
        s.fact("try/except around get_response fired", sum(w.endswith(".caught") for w in result.sequence))
        s.fact("got_request_exception sent", sum(e.layer == "handler" for e in s.trace))
        s.fact("django.request logged", "; ".join(r.getMessage() for r in result.records if r.name == "django.request"))


def propagate(lab) -> None:
    """The same failing view with DEBUG_PROPAGATE_EXCEPTIONS on, run in a fresh process (the setting is global)."""
    code = middleware_setting(ABC) + "\nDEBUG_PROPAGATE_EXCEPTIONS = True  # in a process of its own"
    with lab.step(f"GET {PROPAGATE_PATH}, exceptions propagate", code=code) as s:
        # The child gets what is left of this run's time limit; past it, the run stops as any other would.
        remaining = lab.deadline - time.perf_counter() if lab.deadline else 30
        try:
            child = run_in_child(timeout=max(0.01, min(30, remaining)))
        except subprocess.TimeoutExpired:
            lab.check_time()
            raise
        s.trace.extend(TraceEvent(**event) for event in child["trace"])
        for line in child["log"]:
            s.note(line)
        words = [line.split(": ", 1)[1].split()[0] for line in child["log"] if line.startswith("sandbox.onion: ")]
        sequence = [w for w in words if not w.endswith(".__init__")]
        s.error_type, _, s.error = child["escaped"].partition(": ")
        s.figure("The onion this request went through", onion_svg(["A", "B", "C"], s.trace))
        s.fact("Escaped the handler", child["escaped"])
        s.fact("Sequence", ", ".join(sequence))
        s.fact("try/except around get_response fired", sum(w.endswith(".caught") for w in sequence))
        s.fact("got_request_exception sent", sum(e.layer == "handler" for e in s.trace))
        logged = [line.split(": ", 1)[1] for line in child["log"] if line.startswith("django.request: ")]
        s.fact("django.request logged", "; ".join(logged) or "(nothing)")
