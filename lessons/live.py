"""Live reload while writing a course (local mode, `manage.py runserver`).

django-browser-reload reloads the page when a template or a static file
changes, and after runserver restarts for a Python change. This module adds
what a course needs on top:

- lesson files: runserver watches every content folder's Markdown; saving a
  lesson reloads the page *without* a restart (the catalogue notices the
  change on the next request, see lessons.catalogue);
- new Python modules: Django's reloader watches the modules already imported,
  and its StatReloader ignores a file it sees for the first time, so a new
  demo module (demos/, a course package, sandbox/teaching/) went unnoticed
  until another file was touched. The folders of the project's apps and of
  the course packages are watched themselves: a folder's mtime changes when a
  file is added to it, which restarts the server, and the new module
  registers its demos on the way up.

Nothing here runs with DEBUG off: the receivers return at once.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.autoreload import BaseReloader

from . import courses
from .catalogue import content_roots


def code_folders() -> list[Path]:
    """The project's own apps (not installed libraries) and the course packages."""
    base = Path(settings.BASE_DIR)
    own = [
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(base) and not {".venv", "site-packages"} & set(Path(app.path).parts)
    ]
    return own + courses.package_folders()


# Folders whose new files need no restart (django-browser-reload reloads the page for them) or are not code.
NOT_CODE = frozenset({"__pycache__", "templates", "static", "migrations"})


def watch_course(sender: BaseReloader, **kwargs) -> None:
    """`autoreload_started` receiver: watch the lessons' Markdown, and the code folders for new modules."""
    if not settings.DEBUG:
        return
    for root in content_roots():
        if root.is_dir():
            sender.watch_dir(root, "**/*.md")
    for folder in code_folders():
        for found in [folder, *folder.rglob("*")]:
            parts = set(found.relative_to(folder).parts)
            if found.is_dir() and not parts & NOT_CODE and not any(p.startswith(".") for p in parts):
                sender.watch_dir(found.parent, found.name)  # the folder itself: its mtime changes when a file is added


def lesson_changed(file_path: Path, **kwargs) -> bool | None:
    """`file_changed` receiver: a lesson file reloads the page, not the server (True: no restart)."""
    if not settings.DEBUG or file_path.suffix != ".md":
        return None
    if not any(root.resolve() in file_path.resolve().parents for root in content_roots()):
        return None
    if getattr(settings, "LAB_LIVE_RELOAD", False):
        from django_browser_reload.views import trigger_reload_soon

        trigger_reload_soon()
    return True
