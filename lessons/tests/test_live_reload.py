"""Live reload in local mode: lesson files reload the page, new Python modules restart runserver; never with DEBUG off."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import autoreload

from lessons import live

from .course_fixture import write_course

ROOT = Path(__file__).resolve().parents[2]
needs_live_reload = pytest.mark.skipif(
    not django_settings.LAB_LIVE_RELOAD, reason="LAB_LIVE_RELOAD=0 in this environment"
)


def test_runserver_watches_lesson_files_and_new_python_modules(content, settings):
    settings.DEBUG = True
    reloader = autoreload.StatReloader()
    live.watch_course(sender=reloader)
    watched = {str(path) for path in reloader.watched_files()}
    assert str(content.root / "orm" / "01-lazy.md") in watched
    # Folders are watched themselves: adding a module to one changes its mtime, which restarts runserver.
    folders = {path for path in watched if Path(path).is_dir()}
    assert {str(ROOT / "demos"), str(ROOT / "sandbox"), str(ROOT / "sandbox" / "receivers")} <= folders
    assert not any(".venv" in path or "__pycache__" in path or "templates" in path for path in folders)


def test_nothing_is_watched_with_debug_off(content, settings):
    settings.DEBUG = False
    reloader = autoreload.StatReloader()
    live.watch_course(sender=reloader)
    assert dict(reloader.directory_globs) == {}


@needs_live_reload
def test_saving_a_lesson_reloads_the_page_without_restarting_the_server(content, settings):
    from django_browser_reload.views import should_reload_event

    settings.DEBUG = True
    should_reload_event.clear()
    lesson = content.root / "orm" / "01-lazy.md"
    assert live.lesson_changed(file_path=lesson) is True  # True: Django does not restart
    assert should_reload_event.wait(timeout=2)
    should_reload_event.clear()
    assert live.lesson_changed(file_path=ROOT / "demos" / "signals.py") is None  # Python: restart as usual
    assert live.lesson_changed(file_path=ROOT / "README.md") is None  # not a lesson


@needs_live_reload
def test_in_local_mode_pages_load_the_reload_script_from_a_static_file(client, content, settings):
    settings.DEBUG = True
    html = client.get("/orm/lazy/").content.decode()
    assert '<script src="/static/django-browser-reload/reload-listener.js"' in html
    assert 'data-events-path="/__reload__/events/"' in html


def test_with_debug_off_there_is_no_reload_script_and_no_events_url(client, content, settings):
    settings.DEBUG = False
    assert "reload-listener" not in client.get("/orm/lazy/").content.decode()
    assert client.get("/__reload__/events/", HTTP_ACCEPT="text/event-stream").status_code == 404


def test_live_reload_is_not_even_installed_when_the_site_starts_with_debug_off():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="lab.example.org")
    code = (
        "import django, json; django.setup(); from django.conf import settings;"
        "print(json.dumps([settings.LAB_LIVE_RELOAD, 'django_browser_reload' in settings.INSTALLED_APPS,"
        " any('browser_reload' in m for m in settings.MIDDLEWARE)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, False, False], result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _events(url: str, count: int = 2, timeout: float = 20) -> list[dict]:
    """The first `count` messages of django-browser-reload's event stream (a ping a second, with the server's id)."""
    request = urllib.request.Request(url, headers={"Accept": "text/event-stream"})
    found = []
    with urllib.request.urlopen(request, timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                found.append(json.loads(line[6:]))
                if len(found) >= count:
                    return found
    return found


def _messages(stream):
    for raw in stream:
        line = raw.decode().strip()
        if line.startswith("data: "):
            yield json.loads(line[6:])


def _wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.3)


@needs_live_reload
def test_runserver_reloads_for_a_lesson_and_restarts_for_a_new_demo_module(tmp_path):
    """End to end, as an instructor works: runserver with its autoreloader and a course folder."""
    root = write_course(tmp_path / "course", "livecourse")
    port = _free_port()
    (tmp_path / "var").mkdir()  # an empty SQLite file: these pages read no rows
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_DEBUG="1",
        LAB_CONTENT_DIRS=str(root),
        LAB_COURSE_PACKAGES="livecourse",
        LAB_VAR_DIR=str(tmp_path / "var"),
        LAB_TOOLBAR="0",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Saving a lesson: a "reload" message, and the same server (no restart). One stream, open before the
        # save: django-browser-reload hands the reload to one waiting stream, and a stream this test had closed
        # may still be waiting on the server (it finds out at its next ping) and would take it.
        _wait_for(lambda: _events(f"{base}/__reload__/events/", count=1))  # the server is up
        lesson = root / "extra" / "01-counting.md"
        request = urllib.request.Request(f"{base}/__reload__/events/", headers={"Accept": "text/event-stream"})
        with urllib.request.urlopen(request, timeout=30) as stream:
            messages = _messages(stream)
            first = next(messages)["versionId"]
            lesson.write_text(lesson.read_text().replace("Counting books", "Counting books, revised"))
            seen = []
            for message in messages:
                seen.append(message)
                if message["type"] == "reload" or len(seen) > 40:
                    break
        assert {"type": "reload"} in seen
        assert {m.get("versionId") for m in seen if m["type"] == "ping"} <= {first}
        assert "Counting books, revised" in urllib.request.urlopen(f"{base}/extra/counting/").read().decode()
        # A new demo module: the server restarts by itself and the demo is there.
        (root / "livecourse" / "demos" / "extra_more.py").write_text(
            "from lab.registry import demo\n\n\n"
            "@demo('extra.more', title='One more demo')\n"
            "def more(lab, data):\n    pass\n"
        )
        index = f"{base}/demos/"
        _wait_for(lambda: "extra.more" in urllib.request.urlopen(index).read().decode())
        again = _wait_for(lambda: _events(f"{base}/__reload__/events/", count=1))[0]["versionId"]
        assert again != first
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
