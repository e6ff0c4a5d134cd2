"""What several browser tests check on a page: run every demo card, measure reports, find clipped text, collect
Content-Security-Policy violations and failed requests. One pass over every lesson (tests/browser/test_lessons.py)
uses all of them; other tests use some."""

from __future__ import annotations

from lab import registry

WIDTHS = (1280, 768, 390)
SCREEN = 900  # one desktop screen


def run_every_demo(page) -> list[str]:
    """Press Run in each demo card; wait for its report and check the sections the demo declares."""
    slugs = page.locator("[data-demo]").evaluate_all("cards => cards.map(c => c.dataset.demo)")
    for slug in slugs:
        card = page.locator(f"[data-demo='{slug}']")
        card.locator("[data-action=run]").click()
        report = card.locator(f"[data-report-for='{slug}']")
        report.wait_for()
        assert report.get_attribute("data-status") == "200", f"{slug}: {report.inner_text()[:500]}"
        demo = registry.get(slug)
        for section in demo.reports:
            assert card.locator(f"[data-report='{section}']").count() > 0, f"{slug}: no {section} section"
    return slugs


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
  return {headline: headline ? headline.textContent.trim() : '', first: Math.round(first), read: Math.round(report.getBoundingClientRect().height - hidden),
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


# The browser reports each CSP violation as a `securitypolicyviolation` event; this init script collects them
# before any of the page's own scripts run (tests/browser/test_csp.py proves it catches one).
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} (${e.sample})`);
});
"""


def violations(page) -> list[str]:
    page.wait_for_timeout(50)  # violation events are dispatched asynchronously
    return page.evaluate("window.__cspViolations")
