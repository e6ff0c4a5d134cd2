"""A course is a folder: its lessons, and a Python package beside them with its own demos and teaching code.

    my-course/                      LAB_CONTENT_DIRS=/path/to/my-course
      caching-extra/_track.md       tracks and lessons, as in the project's content/
      caching-extra/01-keys.md
      mycourse/                     LAB_COURSE_PACKAGES=mycourse
        __init__.py
        teaching/keys.py            the code learners read (plain Django, no lab imports)
        demos/caching_keys.py       @demo functions, one step per teaching function
        tests/test_caching_keys.py  pytest, through the lab's run_demo fixture

At start-up (LessonsConfig.ready) each package named in LAB_COURSE_PACKAGES is
imported, from the content folder that holds it (that folder goes on
sys.path), every module of its `demos` package registers its demos, and demo
cards show the functions of its `teaching` package, as they show the
bookshop's. The same content checks run over its lessons.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# What teaching code must not import: learners read it, and it must run without the lab (as sandbox/ does).
LAB_PACKAGES = ("lab", "demos", "lessons")


def _folder_of(name: str) -> Path | None:
    top = name.split(".")[0]
    for folder in map(Path, settings.LAB_CONTENT_DIRS):
        if (folder / top / "__init__.py").is_file():
            return folder
    return None


def import_package(name: str) -> ModuleType:
    """Import a course package, from the content folder that holds it if one does."""
    folder = _folder_of(name)
    if folder is not None and str(folder) not in sys.path:
        sys.path.append(str(folder))
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            where = ", ".join(map(str, settings.LAB_CONTENT_DIRS)) or "(LAB_CONTENT_DIRS is empty)"
            raise ImproperlyConfigured(
                f"LAB_COURSE_PACKAGES names '{name}', but no content folder holds {name.split('.')[0]}/__init__.py"
                f" and it is not installed. Content folders: {where}."
            ) from None
        raise


def _submodules(package: ModuleType, sub: str) -> list[str]:
    try:
        found = importlib.import_module(f"{package.__name__}.{sub}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{package.__name__}.{sub}":
            return []
        raise
    return [f"{found.__name__}.{info.name}" for info in pkgutil.iter_modules(found.__path__) if info.name != "tests"]


def load() -> list[ModuleType]:
    """Import every course package and its demo modules, so their demos register; returns the packages."""
    from lab import registry

    packages = []
    for name in settings.LAB_COURSE_PACKAGES:
        package = import_package(name)
        registry.show_code_from(f"{name}.teaching")
        for module in _submodules(package, "demos"):
            importlib.import_module(module)
        packages.append(package)
    return packages


def package_folders() -> list[Path]:
    """The folder of each course package that is imported (for the live-reload watcher)."""
    found = []
    for name in settings.LAB_COURSE_PACKAGES:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__path__", None):
            found.append(Path(list(module.__path__)[0]))
    return found


def lab_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import of the lab in a Python file: teaching code must have none."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        found += [(node.lineno, n) for n in names if n.split(".")[0] in LAB_PACKAGES]
    return found
