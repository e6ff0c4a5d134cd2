/* Django Lab: small progressive enhancements. The site works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;

  /* Theme toggle: theme.js in <head> already applied the saved or system theme. */
  function syncThemeButton(button) {
    var dark = root.dataset.theme === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
  }
  function initTheme() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    syncThemeButton(button);
    button.addEventListener("click", function () {
      root.dataset.theme = root.dataset.theme === "dark" ? "light" : "dark";
      try { localStorage.setItem("lab-theme", root.dataset.theme); } catch (e) {}
      syncThemeButton(button);
    });
  }

  /* Phone menu: the course navigation opens as a panel under the header. */
  function initMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    var nav = document.getElementById("course-nav");
    if (!button || !nav) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) nav.setAttribute("data-open", ""); else nav.removeAttribute("data-open");
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      if (open) {
        var current = nav.querySelector("[aria-current=page]");
        nav.scrollTop = 0;
        if (current) current.scrollIntoView({ block: "center" });
        var first = current || nav.querySelector("a");
        if (first) first.focus({ preventScroll: true });
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
    nav.addEventListener("click", function (event) { if (event.target.closest("a")) setOpen(false); });
  }

  /* On a wide screen the sidebar scrolls on its own: start it at the current lesson, not at lesson 1 of track 1. */
  function revealCurrentLesson() {
    var nav = document.getElementById("course-nav");
    var current = nav && nav.querySelector("[aria-current=page]");
    if (!current || nav.scrollHeight <= nav.clientHeight) return;
    var top = current.getBoundingClientRect().top - nav.getBoundingClientRect().top + nav.scrollTop;
    nav.scrollTop = Math.max(0, top - nav.clientHeight / 3);
  }

  /* Copy buttons on every code block, including ones htmx swaps in later. */
  function codeText(block) {
    var code = block.querySelector("pre code") || block.querySelector("pre") || block;
    return code.innerText.replace(/\n$/, "");
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
    return Promise.resolve();
  }
  function addCopyButtons(scope) {
    var blocks = scope.querySelectorAll("[data-copy], .highlight");
    blocks.forEach(function (block) {
      if (block.matches(".highlight") && block.closest("[data-copy]")) return;
      if (block.querySelector(":scope > .copy-button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code to the clipboard");
      button.addEventListener("click", function () {
        copy(codeText(block)).then(function () {
          button.textContent = "Copied";
          button.setAttribute("data-copied", "");
          setTimeout(function () { button.textContent = "Copy"; button.removeAttribute("data-copied"); }, 1600);
        }, function () { button.textContent = "Press Ctrl+C"; });
      });
      block.appendChild(button);
    });
  }

  /* A box that scrolls sideways must be reachable by keyboard, or its hidden part is unreadable. */
  var SCROLLERS = ".highlight pre, .lab-table-wrap, .prose table, .lab-plan, .tabbed-labels, .lab-figure";
  function focusableScrollers(scope) {
    scope.querySelectorAll(SCROLLERS).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }

  /* Highlight the section being read in the "On this page" list. */
  function initToc() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".toc__item a"));
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    links.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var headings = Object.keys(byId).map(function (id) { return document.getElementById(id); }).filter(Boolean);
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        links.forEach(function (a) { a.classList.remove("is-current"); });
        var link = byId[entry.target.id];
        if (link) link.classList.add("is-current");
      });
    }, { rootMargin: "-70px 0px -70% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }


  /* Progress: which lessons this learner marked complete, kept in this browser only (localStorage),
     so pages stay identical for everyone and can be cached. The course order comes from the sidebar. */
  var PROGRESS_KEY = "lab-progress";
  function loadProgress() {
    try {
      var saved = JSON.parse(localStorage.getItem(PROGRESS_KEY) || "{}");
      return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
    } catch (e) { return {}; }
  }
  function saveProgress(done) {
    try { localStorage.setItem(PROGRESS_KEY, JSON.stringify(done)); return true; } catch (e) { return false; }
  }
  function courseLessons() {
    return Array.prototype.map.call(document.querySelectorAll("#course-nav [data-lesson-key]"), function (li) {
      var a = li.querySelector("a");
      return { key: li.dataset.lessonKey, url: a.getAttribute("href"), title: li.querySelector(".course-nav__label").textContent };
    });
  }
  /* The first unfinished lesson after the one completed most recently (wrapping round), or null when all are done. */
  function nextLesson(lessons, done) {
    var latest = -1;
    lessons.forEach(function (lesson, i) {
      if (done[lesson.key] && (latest < 0 || done[lesson.key] > done[lessons[latest].key])) latest = i;
    });
    for (var step = 1; step <= lessons.length; step++) {
      var lesson = lessons[(latest + step) % lessons.length];
      if (!done[lesson.key]) return lesson;
    }
    return null;
  }
  function markDone(item, isDone) {
    item.classList.toggle("is-complete", isDone);
    var link = item.querySelector("a") || item;
    var note = link.querySelector(".progress-note");
    if (isDone && !note) {
      note = document.createElement("span");
      note.className = "progress-note visually-hidden";
      note.textContent = " (completed)";
      link.appendChild(note);
    } else if (!isDone && note) {
      note.remove();
    }
  }
  /* How many of a track's lessons are done, counting only lessons that exist (old keys are ignored). */
  function trackProgress(lessons, done, track) {
    var inTrack = lessons.filter(function (lesson) { return lesson.key.split("/")[0] === track; });
    var count = inTrack.filter(function (lesson) { return done[lesson.key]; }).length;
    return { count: count, total: inTrack.length };
  }
  function renderProgress() {
    var done = loadProgress();
    var lessons = courseLessons();
    document.querySelectorAll("[data-lesson-key]").forEach(function (item) {
      if (item.matches("[data-complete-toggle]")) {
        item.setAttribute("aria-pressed", done[item.dataset.lessonKey] ? "true" : "false");
      } else {
        markDone(item, Boolean(done[item.dataset.lessonKey]));
      }
    });
    document.querySelectorAll("[data-track-progress]").forEach(function (box) {
      var progress = trackProgress(lessons, done, box.dataset.trackProgress);
      box.querySelector("[data-progress-done]").textContent = progress.count;
      box.querySelector(".progress__fill").style.width = (progress.total ? (100 * progress.count) / progress.total : 0) + "%";
      box.classList.toggle("is-complete", progress.total > 0 && progress.count === progress.total);
      box.hidden = false;
    });
    var cont = document.querySelector("[data-continue]");
    if (cont && lessons.some(function (lesson) { return done[lesson.key]; })) {
      var next = nextLesson(lessons, done);
      cont.href = next ? next.url : lessons[0].url;
      cont.textContent = next ? "Continue with “" + next.title + "”" : "All done! Review “" + lessons[0].title + "”";
    }
  }
  function toggleComplete(toggle) {
    var done = loadProgress();
    var key = toggle.dataset.lessonKey;
    if (done[key]) delete done[key]; else done[key] = Date.now();
    var saved = saveProgress(done);
    renderProgress();
    var status = document.querySelector("[data-complete-status]");
    if (!status) return;
    if (!saved) {
      status.textContent = "This browser is not keeping site data, so your progress cannot be saved.";
      return;
    }
    var progress = trackProgress(courseLessons(), done, key.split("/")[0]);
    status.textContent = (done[key] ? "Marked complete. " : "No longer marked complete. ") +
      progress.count + " of " + progress.total + " lessons in this track complete.";
  }
  function initProgress() {
    var toggle = document.querySelector("[data-complete-toggle]");
    if (toggle) {
      toggle.closest("[data-progress-complete]").hidden = false;
      toggle.addEventListener("click", function () { toggleComplete(toggle); });
    }
    renderProgress();
    /* Another tab marked a lesson: keep this one in step. */
    window.addEventListener("storage", function (event) { if (event.key === PROGRESS_KEY) renderProgress(); });
  }

  function init() {
    initTheme();
    initMenu();
    revealCurrentLesson();
    initToc();
    initProgress();
    addCopyButtons(document);
    focusableScrollers(document);
    if (window.htmx) {
      window.htmx.onLoad(function (el) {
        addCopyButtons(el);
        focusableScrollers(el.parentElement || document);
      });
    }
    /* Closed <details> have nothing to measure until they open. */
    document.addEventListener("toggle", function (event) { focusableScrollers(event.target); }, true);
    var resizing;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { focusableScrollers(document); }, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
