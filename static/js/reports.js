/* Reports (issue 13): a run's elapsed time and its Cancel, the question "Reset my sandbox" asks,
   and scroll regions that say they scroll. The site works without this file. */
(function () {
  "use strict";
  var me = document.currentScript;
  var TOOLBAR_CSS = (me && me.getAttribute("data-toolbar-css")) || "/static/css/toolbar-handle.css";

  /* A run: "Running… 1.4 s" while it lasts, and Cancel, which aborts the request (the server stops the run at
     its own time limit whatever happens to the browser). */
  var runs = new WeakMap();
  function cardOf(el) { return el && el.closest ? el.closest("[data-demo]") : null; }
  function parts(card) {
    return { elapsed: card.querySelector("[data-elapsed]"), cancel: card.querySelector("[data-action=cancel]"),
             report: card.querySelector(".demo-card__report"), form: card.querySelector(".demo-card__form") };
  }
  function stop(card) {
    var run = runs.get(card);
    if (!run) return null;
    clearInterval(run.timer);
    runs.delete(card);
    var p = parts(card);
    p.elapsed.hidden = true;
    p.cancel.hidden = true;
    return (performance.now() - run.started) / 1000;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("demo-card__form")) return;
    var card = cardOf(form);
    if (!card) return;
    stop(card);
    var p = parts(card);
    var started = performance.now();
    function tick() { p.elapsed.textContent = "Running… " + ((performance.now() - started) / 1000).toFixed(1) + " s"; }
    tick();
    p.elapsed.hidden = false;
    p.cancel.hidden = false;
    runs.set(card, { started: started, timer: setInterval(tick, 100) });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var card = cardOf(event.target);
    if (card && event.target.classList.contains("demo-card__form")) stop(card);
  });
  /* htmx reports every aborted request as an error in the console; a Cancel the learner asked for is not one.
     The abort runs synchronously (XMLHttpRequest.abort fires its events at once), so only its own messages
     are held back. */
  function abortQuietly(form) {
    var original = console.error;
    console.error = function (first) {
      if (typeof first === "string" && /^htmx:(afterRequest|sendAbort|error)\b/.test(first)) return;
      original.apply(console, arguments);
    };
    try { window.htmx.trigger(form, "htmx:abort"); } finally { console.error = original; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-action=cancel]") : null;
    if (!button) return;
    var card = cardOf(button);
    var p = parts(card);
    var seconds = stop(card);
    if (window.htmx) abortQuietly(p.form);
    if (seconds !== null) {
      var note = document.createElement("p");
      note.className = "lab-cancelled";
      note.setAttribute("role", "status");
      note.setAttribute("data-cancelled", "");
      note.textContent = "Cancelled after " + seconds.toFixed(1) + " s. Nothing of this run is shown; press Run to try again.";
      p.report.replaceChildren(note);
    }
  });

  /* "Reset my sandbox" asks first: its question arrives in the header's status area; Cancel removes it. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "reset-status") {
      var yes = target.querySelector("[data-action=confirm-reset]");
      if (yes) yes.focus();
    }
    markScrollRegions(target || document);
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest ? event.target.closest("[data-reset-cancel]") : null;
    if (!cancel) return;
    var region = document.getElementById("reset-status");
    if (region) region.replaceChildren();
    var reset = document.querySelector(".reset-form button");
    if (reset) reset.focus();
  });

  /* A region that really scrolls sideways can be reached and scrolled with the keyboard, and says what it is. */
  var SCROLLERS = ".lab-table-wrap, .lab-figure, .lab-plan, .sqldiff__code, .prose .highlight pre, .prose table:not(.lab-table)";
  var scrollCount = 0;
  function markScrollRegions(root) {
    var found = root.querySelectorAll ? root.querySelectorAll(SCROLLERS) : [];
    Array.prototype.forEach.call(found, function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      el.classList.toggle("is-scrollable", scrolls);
      if (scrolls) {
        if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); el.setAttribute("data-scroll-marked", ""); }
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
          var caption = el.querySelector("figcaption, caption");
          var step = el.closest("[data-step]");
          var title = step && step.querySelector(".lab-step__title");
          var what = caption ? caption.textContent.trim() : (el.tagName === "TABLE" ? "Table" : "Wide content");
          if (el.tagName !== "TABLE") el.setAttribute("role", "region");  // a table keeps its own role
          // Landmarks need distinct names: the step, what it is, and a number.
          scrollCount += 1;
          el.setAttribute("aria-label", (title ? title.textContent.trim() + ": " : "") + what + ", scrolls sideways (" + scrollCount + ")");
          el.setAttribute("data-scroll-labelled", "");
        }
      } else {
        if (el.hasAttribute("data-scroll-marked")) { el.removeAttribute("tabindex"); el.removeAttribute("data-scroll-marked"); }
        if (el.hasAttribute("data-scroll-labelled")) {
          el.removeAttribute("aria-label"); el.removeAttribute("data-scroll-labelled");
          if (el.tagName !== "TABLE") el.removeAttribute("role");
        }
      }
    });
  }
  function markAll() { markScrollRegions(document); tameToolbar(); }

  /* django-debug-toolbar keeps its handle in a shadow root: link the stylesheet that moves it out of the way. */
  function tameToolbar() {
    var root = document.getElementById("djDebugRoot");
    var shadow = root && root.shadowRoot;
    if (!shadow || shadow.querySelector("link[data-lab-handle]")) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = TOOLBAR_CSS;
    link.setAttribute("data-lab-handle", "");
    shadow.appendChild(link);
  }
  document.addEventListener("DOMContentLoaded", markAll);
  if (document.readyState !== "loading") markAll();
  var resizeTimer;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(markAll, 150); });
  document.addEventListener("toggle", function (event) { markScrollRegions(event.target); }, true);
})();
