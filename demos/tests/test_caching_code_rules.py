"""The caching demos show only code that runs: no hand-typed code strings, no transition API, no lambdas as steps."""

import ast
from pathlib import Path

import pytest

DEMOS = sorted(Path(__file__).resolve().parent.parent.glob("caching*.py"))
TEACHING = sorted((Path(__file__).resolve().parents[2] / "sandbox" / "teaching").glob("caching*.py"))


def _calls(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


@pytest.mark.parametrize("path", DEMOS, ids=lambda p: p.name)
def test_no_caching_demo_types_code_by_hand_or_uses_the_transition_api(path):
    tree = ast.parse(path.read_text())
    for call in _calls(tree):
        for keyword in call.keywords:
            if keyword.arg == "code":
                assert not isinstance(keyword.value, ast.Constant | ast.JoinedStr), f"{path.name}:{call.lineno}"
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "lab":
            assert func.attr not in {"fact", "note"}, f"{path.name}:{call.lineno}: lab.{func.attr}"
            if func.attr == "step":
                assert len(call.args) >= 2, f"{path.name}:{call.lineno}: lab.step without a teaching function"
                assert not isinstance(call.args[1], ast.Lambda), f"{path.name}:{call.lineno}: a lambda as a step"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"step_now", "capture_sql"}, f"{path.name}:{node.lineno}: {node.attr}"
        if isinstance(node, ast.If):
            assert not (isinstance(node.test, ast.Constant) and node.test.value is True), f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.name)
def test_the_caching_teaching_code_imports_nothing_of_the_lab(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not any(n.split(".")[0] in {"lab", "demos", "lessons"} for n in names), f"{path.name}:{node.lineno}"


def test_every_caching_prediction_points_at_a_heading_of_the_lesson_that_embeds_its_demo(client, db):
    from lab import registry
    from lessons.catalogue import get_catalogue

    checked = 0
    for lesson in get_catalogue().lessons:
        if not lesson.url.startswith("/caching/") or not lesson.demos:
            continue
        html = client.get(lesson.url).content.decode()
        for slug in lesson.demos:
            for prediction in registry.get(slug).predictions:
                assert f'id="{prediction.see.lstrip("#")}"' in html, (lesson.url, slug, prediction.see)
                checked += 1
    assert checked >= 14
