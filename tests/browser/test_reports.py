"""Reports a learner reads at a glance (issue 13), in a real browser.

- Every demo, run with its default inputs at 1280 px: the headline is on top, no report takes over two screens
  with its steps collapsed, and how many fit one screen above their first collapsed step, and the tallest, are
  printed (run with -s to read them).
- Nothing is cut off: every lesson and every report at 1280, 768 and 390 px, no text clipped, no sideways page
  scroll, and what must scroll sideways says so (a shadow, a focusable labelled region).
- No page a learner can reach logs a console error or a failed request (a missing favicon included).
"""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .test_lessons import run_every_demo

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = get_catalogue().lessons
WIDTHS = (1280, 768, 390)
SCREEN = 900  # one desktop screen

# For each report: how far below its top the first collapsed step starts, and how tall the report is once its
# collapsed steps are left out (the headline, the "since" block and the open step: what a learner reads first).
HEIGHTS = """slug => {
  const report = document.querySelector(`[data-report-for='${slug}']`);
  const top = report.getBoundingClientRect().top;
  const closed = [...report.querySelectorAll('details.lab-step:not([open])')];
  const first = closed.length ? closed[0].getBoundingClientRect().top - top : report.getBoundingClientRect().height;
  const hidden = closed.reduce((sum, d) => sum + d.getBoundingClientRect().height, 0);
  const headline = report.querySelector('[data-headline]');
  const steps = report.querySelector('[data-step]');
  return {first: Math.round(first), read: Math.round(report.getBoundingClientRect().height - hidden),
          headlineFirst: !headline || !steps || !!(headline.compareDocumentPosition(steps) & Node.DOCUMENT_POSITION_FOLLOWING)};
}"""

# Every element in the page whose text is cut off: it clips (overflow hidden) content wider than itself, or it
# scrolls sideways without saying so, or the page itself scrolls sideways.
CLIPPED = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px > ${width} px)`);
  }
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ` "${(el.textContent || '').trim().slice(0, 60)}"`;
  for (const el of document.querySelectorAll('.site-header *, main *')) {
    if (el.closest('svg, #djDebugRoot, .visually-hidden, details:not([open]) > :not(summary)')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) continue;
    if (style.overflowX === 'hidden' || style.overflowX === 'clip') {
      problems.push(`${describe(el)} clips its content (${el.scrollWidth} px in ${el.clientWidth} px)`);
    } else if (style.overflowX === 'auto' || style.overflowX === 'scroll') {
      const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!(el.classList.contains('is-scrollable') && el.tabIndex >= 0 && named)) {
        problems.push(`${describe(el)} scrolls sideways without showing it (${el.scrollWidth} px in ${el.clientWidth} px)`);
      }
    }
  }
  return problems;
}"""


def watch_responses(page) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


def check_widths(page, where: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        page.evaluate("window.dispatchEvent(new Event('resize'))")
        page.wait_for_timeout(250)  # reports.js marks scroll regions after a resize
        problems += [f"{where} at {width} px: {p}" for p in page.evaluate(CLIPPED)]
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_every_report_puts_its_point_first_and_nothing_in_lessons_or_reports_is_cut_off(page, lab):
    failed = watch_responses(page)
    problems: list[str] = []
    heights: dict[str, dict] = {}
    for lesson in LESSONS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(lab + lesson.url)
        for slug in run_every_demo(page):
            heights[slug] = page.evaluate(HEIGHTS, slug)
        page.wait_for_timeout(150)
        problems += check_widths(page, lesson.url)
    tallest = max(heights.items(), key=lambda item: item[1]["read"])
    over = sorted((h["first"], slug) for slug, h in heights.items() if h["first"] > SCREEN)
    print(
        f"\n{len(heights)} reports; tallest to read with its steps collapsed: {tallest[0]} at {tallest[1]['read']} px;"
        f" {len(heights) - len(over)} fit in {SCREEN} px above their first collapsed step; over it: {over}"
    )
    for slug, h in heights.items():
        if not h["headlineFirst"]:
            problems.append(f"{slug}: the headline is not above the steps")
        if h["read"] > 2 * SCREEN:  # the goal is one screen (printed above); two is the line no report may cross
            problems.append(f"{slug}: {h['read']} px to read with its steps collapsed (over two screens)")
    assert failed == [], "failed requests"
    assert problems == [], "\n".join(problems)


PAGES = [
    "/",
    "/demos/",
    "/demos/reset/?next=/",
    "/sandbox/caching/report/",
    "/sandbox/caching/report/?cached=1&backend=locmem",
    *[track.url for track in get_catalogue().tracks],
]


def test_no_page_a_learner_can_reach_logs_an_error_or_a_failed_request(page, lab):
    """Every page, and every page of the site a lesson links to (the bare report page too): no console error,
    no 404 (the favicon a bare page makes the browser ask for included), nothing cut off."""
    failed = watch_responses(page)
    linked: set[str] = set()
    for lesson in LESSONS:
        page.goto(lab + lesson.url)
        hrefs = page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        linked |= {h.split("#")[0] for h in hrefs if not h.startswith(("/admin", "/__debug__", "/static/"))}
    problems: list[str] = []
    for path in sorted(set(PAGES) | linked - {""}):
        fetched = page.request.get(lab + path, max_redirects=5)
        if "text/html" not in fetched.headers.get("content-type", ""):  # a CSV download, a plain-text endpoint
            assert fetched.status < 400, f"{path}: {fetched.status}"
            continue
        response = page.goto(lab + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        page.wait_for_timeout(100)  # the favicon request of a page without a <link rel=icon>
        if page.locator("main").count():
            problems += check_widths(page, path)
    favicon = page.goto(lab + "/favicon.ico")
    assert favicon is not None and favicon.status == 200 and "svg" in favicon.headers["content-type"]
    assert failed == [], "failed requests"
    assert problems == [], "\n".join(problems)
