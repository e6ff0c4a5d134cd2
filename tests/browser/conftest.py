"""Playwright fixtures: one Chromium per session, one reused page, the canonical seed per test.

Chromium is Debian's (/usr/bin/chromium). Without it the browser tests skip
locally and fail in CI (CI=true).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(session, config, items) -> None:
    """Browser tests run last. Playwright's sync API keeps an event loop in the main thread until the
    session ends, and async_to_sync (an async demo, an async handler) refuses to run beside it."""
    here = Path(__file__).parent
    items.sort(key=lambda item: Path(str(item.path)).is_relative_to(here))  # stable: order kept within each group


@pytest.fixture(scope="session")
def browser():
    from conftest import require

    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _shared_context(browser):
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def lab(transactional_db, live_server, settings) -> str:
    """The live server's URL, with the canonical seed loaded and no rate limit."""
    from sandbox.seed import load_canonical

    settings.LAB_RATE_LIMIT = 0
    load_canonical()
    return live_server.url


class ErrorLog(list):
    def console(self, message) -> None:
        if message.type == "error":
            self.append(f"console: {message.text}")

    def page_error(self, error) -> None:
        self.append(f"page error: {error}")


def watch(page) -> ErrorLog:
    errors = ErrorLog()
    page.on("console", errors.console)
    page.on("pageerror", errors.page_error)
    return errors


@pytest.fixture
def page(_shared_context, lab) -> Iterator:
    """The session's one page, watched for console and page errors during this test."""
    page = _shared_context.pages[0] if _shared_context.pages else _shared_context.new_page()
    errors = watch(page)
    page.errors = errors
    yield page
    page.remove_listener("console", errors.console)
    page.remove_listener("pageerror", errors.page_error)
    assert list(errors) == [], "the browser reported errors"


@pytest.fixture
def new_page(browser, lab):
    """A page in a fresh context with options (phone size, JavaScript off...)."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


def axe_violations(page) -> str:
    """axe-core's report of violations on the page as it is now, or '' when there are none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node['html'][:200]}")
            lines.append(f"    {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)
