"""Rules every demo follows, in every track: the code shown is the code run, and the report says its point first.

Read from the source (ast): no hand-typed code strings, no lambdas as steps (a step's code panel is its
teaching function's source), no recorder-level facts or notes, no hand-recorded events, none of the old
transition API. The bookshop's teaching code imports nothing of the lab. Run with default inputs: each
demo has a measured headline and a focus step, stable snake_case keys, and predictions graded from the run.
"""

import ast
import re
from pathlib import Path

import pytest

from lab import registry

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILES = sorted(p for p in (ROOT / "demos").glob("*.py") if p.name not in {"__init__.py", "apps.py"})
TEACHING_FILES = [
    *sorted((ROOT / "sandbox" / "teaching").glob("*.py")),
    ROOT / "sandbox" / "example_middleware.py",
    ROOT / "sandbox" / "middleware.py",
    *sorted((ROOT / "sandbox" / "endpoints").glob("*.py")),
    *sorted((ROOT / "sandbox" / "receivers").glob("*.py")),
]
GONE = {"step_now", "capture_sql", "record_signal"}  # the transition API and hand-recorded events
SHOWS_CODE = {"step", "section", "trials", "demo", "query_step"}  # calls whose code= would be shown as run code
KEY = re.compile(r"^[a-z][a-z0-9_]*(-\d+)?$")


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_demos_show_the_code_they_run(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in SHOWS_CODE:
            for keyword in node.keywords:
                if keyword.arg == "code":
                    assert not isinstance(keyword.value, ast.Constant | ast.JoinedStr), f"{_where(path, node)}: typed"
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "code" for t in node.targets
        ):
            assert not isinstance(node.value, ast.Constant | ast.JoinedStr), f"{_where(path, node)}: typed code"
        if isinstance(node, ast.Attribute):
            assert node.attr not in GONE, f"{_where(path, node)}: {node.attr}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            on_lab = isinstance(owner, ast.Name) and owner.id == "lab"
            if on_lab:
                assert name not in {"fact", "note"}, f"{_where(path, node)}: lab.{name} (facts belong to a step)"
            if on_lab and name == "step":
                assert len(node.args) >= 2, f"{_where(path, node)}: lab.step without a teaching function"
            if name in {"step", "trials"} and on_lab:
                assert not any(isinstance(a, ast.Lambda) for a in node.args), f"{_where(path, node)}: a lambda step"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "SignalEvent", f"{_where(path, node)}: a hand-recorded signal"
        if isinstance(node, ast.With):  # the old `with lab.step(...)` form
            for item in node.items:
                call = item.context_expr
                assert not (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "step"), _where(path, node)


@pytest.mark.parametrize("path", TEACHING_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_teaching_code_imports_nothing_of_the_lab(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not any(n.split(".")[0] in {"lab", "demos", "lessons"} for n in names), _where(path, node)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", [d.slug for d in registry.all_demos()])
def test_every_demo_says_its_point_first_and_grades_its_predictions(run_demo, slug):
    demo = registry.get(slug)
    lab = run_demo(slug)
    assert lab.headline_text, f"{slug} has no headline"
    assert lab.focus_key in {s.key for s in lab.steps}, f"{slug}: the headline's focus step is not in the run"
    for step in lab.steps:
        assert KEY.match(step.key), (slug, step.key)
        assert all(KEY.match(key) for key in step.facts), (slug, step.key, list(step.facts))
    for prediction in demo.predictions:
        right, measured = prediction.grade(lab, prediction.choices[0])
        # "" only where this run's inputs did not make the step the question is about.
        assert measured in (*prediction.choices, ""), (slug, prediction.question, measured)
        assert right is (measured == prediction.choices[0])


def test_every_prediction_points_at_a_heading_of_the_lesson_that_embeds_its_demo(client, db):
    from lessons.catalogue import get_catalogue

    checked = 0
    for lesson in get_catalogue().lessons:
        if not lesson.demos:
            continue
        html = client.get(lesson.url).content.decode()
        for slug in lesson.demos:
            for prediction in registry.get(slug).predictions:
                if prediction.see:
                    assert f'id="{prediction.see.lstrip("#")}"' in html, (lesson.url, slug, prediction.see)
                    checked += 1
    assert checked >= 30
