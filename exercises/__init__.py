"""Exercises: one module per lesson or topic, each declaring exercises with lab.exercises.exercise().

These modules are shipped to the learner's browser and run there in Pyodide, so they import only
Django, the bookshop (`sandbox`) and `lab.exercises`: SQLite and the local-memory cache, no threads.
"""

import importlib
import pkgutil


def autodiscover() -> None:
    """Import every module in this package so its exercises register."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in {"apps", "tests"}:
            importlib.import_module(f"{__name__}.{info.name}")
