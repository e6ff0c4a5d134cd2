/* Django Lab: small progressive enhancements. The site works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;

  /* Theme toggle: the inline script in <head> already applied the saved or system theme. */
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
  var SCROLLERS = ".highlight pre, .lab-table-wrap, .prose table, .lab-plan, .tabbed-labels";
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

  function init() {
    initTheme();
    initMenu();
    initToc();
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
