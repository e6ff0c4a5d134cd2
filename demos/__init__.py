"""Demos, one module per track (split further when a module grows)."""

import importlib
import pkgutil


def autodiscover() -> None:
    """Import every module in this package so its @demo functions register."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in {"apps", "tests"}:
            importlib.import_module(f"{__name__}.{info.name}")
