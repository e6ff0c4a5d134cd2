"""The middleware demos show only code that runs: no hand-typed code strings, no transition API.

Their steps are sections whose code is generated from the values they use (the
MIDDLEWARE setting built from the stack, the request line sent), and the
middleware and views the card shows import nothing of the lab.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMOS = sorted((ROOT / "demos").glob("middleware*.py"))
TEACHING = [
    *sorted((ROOT / "sandbox" / "teaching").glob("middleware*.py")),
    ROOT / "sandbox" / "example_middleware.py",
    ROOT / "sandbox" / "endpoints" / "middleware.py",
    ROOT / "sandbox" / "middleware.py",
]


@pytest.mark.parametrize("path", DEMOS, ids=lambda p: p.name)
def test_no_middleware_demo_types_code_by_hand_or_uses_the_transition_api(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code":
                    assert not isinstance(keyword.value, ast.Constant | ast.JoinedStr), f"{path.name}:{node.lineno}"
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "lab":
                assert func.attr not in {"fact", "note"}, f"{path.name}:{node.lineno}: lab.{func.attr}"
                if func.attr == "step":
                    assert len(node.args) >= 2, f"{path.name}:{node.lineno}: lab.step without a teaching function"
                    assert not isinstance(node.args[1], ast.Lambda), f"{path.name}:{node.lineno}: a lambda as a step"
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"step_now", "capture_sql"}, f"{path.name}:{node.lineno}: {node.attr}"
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "code" for t in targets):
                assert not isinstance(node.value, ast.Constant | ast.JoinedStr), f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.name)
def test_the_middleware_teaching_code_imports_nothing_of_the_lab(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not any(n.split(".")[0] in {"lab", "demos", "lessons"} for n in names), f"{path.name}:{node.lineno}"


def test_every_middleware_demo_has_a_headline_focus_and_shows_teaching_code(run_demo):
    from lab import registry

    for demo in registry.all_demos():
        if demo.track != "middleware":
            continue
        lab = run_demo(demo.slug)
        assert lab.headline_text, demo.slug
        assert lab.get(lab.focus_key), demo.slug
        shown = demo.teaching_code
        assert shown and all(getattr(o, "__module__", "").startswith("sandbox.") for o in shown), demo.slug
