/* Django Lab: exercise cards (`/// exercise | <slug>`). The learner's code runs in their own browser
   (static/js/lab-runtime.js: Pyodide in a Web Worker), never on the server. This file wires the card:
   the CodeMirror editor (vendor/codemirror, loaded only when a page has a card), Run / Check / Stop,
   one hint at a time, the solution, Reset, the version switch, and the results (exercise-report.js).
   Kept in this browser only: each exercise's code (lab-exercise-code:<slug>) and passed exercises,
   merged into the lesson progress object site.js keeps (lab-progress), announced as a lab:progress event. */
(function () {
  "use strict";
  var PROGRESS_KEY = "lab-progress";
  var CODE_PREFIX = "lab-exercise-code:";
  var STATE_TEXT = { loading: "Loading Python…", ready: "Python ready", running: "Running…", stopped: "Stopped", error: "Python could not start" };
  var STOPPED = "Stopped. The next Run starts a fresh Python.";
  var loaded = {};

  function esc(text) { return window.LabReport.escape(text); }
  /* Messages may quote code in `backticks`: escaped first, then shown as <code>. */
  function message(text) { return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>"); }
  function load(src) {
    if (!src) return Promise.reject(new Error("not available"));
    if (!loaded[src]) {
      loaded[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(script);
      });
    }
    return loaded[src];
  }
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function stored(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function templateText(card, selector) {
    var t = card.querySelector(selector);
    return t ? t.content.textContent : "";
  }

  function recordPassed(slug) {
    var progress = {};
    try { progress = JSON.parse(stored(PROGRESS_KEY) || "{}") || {}; } catch (e) { progress = {}; }
    if (typeof progress !== "object" || Array.isArray(progress)) progress = {};
    var exercises = progress.exercises && typeof progress.exercises === "object" ? progress.exercises : {};
    exercises[slug] = { passed: true, at: new Date().toISOString() };
    progress.exercises = exercises;
    store(PROGRESS_KEY, JSON.stringify(progress));
    window.dispatchEvent(new CustomEvent("lab:progress", { detail: { exercise: slug, passed: true } }));
  }
  function hasPassed(slug) {
    try { var p = JSON.parse(stored(PROGRESS_KEY) || "{}"); return Boolean(p && p.exercises && p.exercises[slug] && p.exercises[slug].passed); } catch (e) { return false; }
  }

  function renderResult(result, mode) {
    var out = "";
    if (mode === "check" && Array.isArray(result.checks)) {
      var passed = result.checks.filter(function (c) { return c.passed; }).length;
      out += '<p class="exercise-result__summary exercise-result__summary--' + (result.ok ? "pass" : "fail") + '" role="status">' +
        (result.ok ? "All " + result.checks.length + " checks pass." : passed + " of " + result.checks.length + " checks pass.") + "</p>";
      out += '<ul class="exercise-checks">' + result.checks.map(function (c) {
        var state = c.passed ? "pass" : "fail";
        return '<li class="exercise-check exercise-check--' + state + '" data-check-result="' + state + '"><span class="exercise-check__mark" aria-hidden="true">' + (c.passed ? "✓" : "✗") +
          '</span><span class="exercise-check__body"><span class="visually-hidden">' + (c.passed ? "Passed: " : "Failed: ") + "</span><strong>" + esc(c.name) + "</strong>" +
          (c.message ? ' <span class="exercise-check__message">' + message(c.message) + "</span>" : "") + "</span></li>";
      }).join("") + "</ul>";
    }
    if (result.stopped) {
      out += '<p class="lab-message" role="alert" data-stopped>' + esc(typeof result.error === "string" ? result.error : "Stopped.") + "</p>";
    } else if (result.error) {
      /* lab.exercises' error: {type, message, line, traceback} with only the learner's own frames. */
      var err = typeof result.error === "string" ? { traceback: result.error } : result.error;
      var title = err.type === "SyntaxError" ? "Your code does not parse" : "Your code raised " + (err.type || "an error");
      out += '<div class="exercise-error" data-report="error"><p class="exercise-error__title">' + esc(title) +
        (err.line ? " (line " + esc(err.line) + ")" : "") + '</p><pre class="exercise-error__trace" tabindex="0">' +
        esc(err.traceback || (err.type ? err.type + ": " : "") + (err.message || "")) + "</pre></div>";
    }
    if (result.stdout) out += '<div class="exercise-output"><p class="exercise-card__label">Printed</p><pre tabindex="0">' + esc(result.stdout) + "</pre></div>";
    /* The report as the demos show it: lab/report.html rendered (autoescaped) by Django in the learner's own
       worker; from the plain data when a worker sends no HTML. */
    var reportHtml = result.report_html || result.html;
    if (reportHtml) out += reportHtml;
    else if (result.report && Array.isArray(result.report.steps)) out += window.LabReport.render(result.report);
    return out;
  }

  function Card(card) {
    this.card = card;
    this.slug = card.dataset.exercise;
    this.codeKey = CODE_PREFIX + this.slug;
    this.starter = templateText(card, "template[data-code=starter]");
    this.solution = templateText(card, "template[data-code=solution]");
    this.hintTexts = Array.prototype.slice.call((card.querySelector("template[data-hint-texts]") || document.createElement("template")).content.children);
    this.hintsShown = 0;
    this.failedCheck = false;
    this.state = card.querySelector("[data-runtime]");
    this.results = card.querySelector("[data-results]");
    this.versions = (card.dataset.versions || "5.2").split(" ");
    this.running = [];
    card.querySelector("[data-exercise-static]").hidden = true;
    card.querySelector("[data-exercise-live]").hidden = false;
    card.querySelector("[data-exercise-passed]").hidden = !hasPassed(this.slug);
    this.bind();
    this.startEditor();
    this.startWhenNear();
  }
  Card.prototype.button = function (action) { return this.card.querySelector('[data-action="' + action + '"]'); };
  Card.prototype.setState = function (state, text) {
    this.state.dataset.runtime = state;
    this.state.textContent = text || STATE_TEXT[state] || state;
    var busy = state === "running";
    this.button("run").disabled = busy || state === "error";
    this.button("check").disabled = busy || state === "error";
    this.button("stop").hidden = !busy;
  };
  Card.prototype.chosen = function () {
    var picked = this.card.querySelector("[data-version-switch] input:checked");
    var value = picked ? picked.value : this.versions[0];
    return value === "both" ? this.versions.slice() : [value];
  };
  Card.prototype.code = function () { return this.editor ? this.editor.get() : this.starter; };

  Card.prototype.startEditor = function () {
    var self = this;
    var host = this.card.querySelector("[data-editor]");
    var saved = stored(this.codeKey);
    load(this.card.dataset.editorSrc).then(function () {
      var label = document.getElementById(host.dataset.labelledby);
      self.editor = window.LabEditor.create(host, {
        doc: saved !== null ? saved : self.starter,
        label: label ? label.textContent + ": " + self.card.querySelector(".exercise-card__title").textContent : "Your code",
        describedBy: host.dataset.describedby,
        onChange: function (text) { store(self.codeKey, text === self.starter ? null : text); },
        onRun: function () { self.attempt("run"); },
        onCheck: function () { self.attempt("check"); },
      });
      // The text area is contenteditable, which axe does not count as focusable inside the scrolling box
      // (scrollable-region-focusable) once the code overflows it: say so with tabindex, no extra tab stop.
      if (self.editor.view && self.editor.view.contentDOM) self.editor.view.contentDOM.setAttribute("tabindex", "0");
      host.dataset.editorReady = "";
    }, function () {
      host.innerHTML = '<p class="lab-message" role="alert">The code editor could not be loaded. Reload the page to try again.</p>';
    });
  };

  Card.prototype.runtime = function (version) { return window.LabRuntime && window.LabRuntime.get(version); };
  /* Python (several MB the first time) starts when the learner nears the card or touches it, not for every
     reader of the lesson. */
  Card.prototype.startWhenNear = function () {
    var self = this;
    this.state.textContent = "Python starts when you reach this exercise";
    var start = function () { if (!self.started) self.startRuntime(); };
    this.card.addEventListener("focusin", start);
    this.card.addEventListener("pointerdown", start);
    if (!("IntersectionObserver" in window)) return start();
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); start(); }
    }, { rootMargin: "600px 0px" });
    observer.observe(this.card);
  };
  Card.prototype.startRuntime = function () {
    var self = this;
    this.started = true;
    this.setState("loading");
    if (!this.card.dataset.runtimeSrc) {
      this.loading = Promise.resolve();
      this.setState("error", "Python is not installed on this site, so exercises cannot run here.");
      return;
    }
    this.loading = load(this.card.dataset.runtimeSrc).then(function () {
      document.addEventListener("lab-runtime:state", function (event) {
        var d = event.detail || {};
        if (self.chosen().indexOf(String(d.version)) < 0 || !STATE_TEXT[d.state]) return;
        if (d.state === "error") self.setState("error", "Python could not start: " + (d.error || "unknown error"));
        else if (self.state.dataset.runtime !== "running" && self.state.dataset.runtime !== "stopped") self.setState(d.state);
      });
      return self.warm();
    }).catch(function (error) {
      self.setState("error", "Python could not start: " + (error && error.message ? error.message : error));
    });
  };
  Card.prototype.warm = function () {
    var self = this;
    var runtimes = this.chosen().map(function (v) { return self.runtime(v); });
    this.setState("loading");
    return Promise.all(runtimes.map(function (rt) { return rt.ready; })).then(function () { self.setState("ready"); });
  };

  Card.prototype.attempt = function (mode) {
    var self = this;
    if (this.state.dataset.runtime === "running" || this.state.dataset.runtime === "error") return;
    if (!window.LabRuntime) { /* pressed before the runtime's script arrived: run once it has */
      if (!this.started) this.startRuntime();
      this.loading.then(function () { if (window.LabRuntime) self.attempt(mode); });
      return;
    }
    var versions = this.chosen();
    var code = this.code();
    this.setState("running");
    this.results.innerHTML = "";
    this.running = versions.map(function (v) { return self.runtime(v); });
    var runs = versions.map(function (v, i) {
      return self.running[i].attempt(self.slug, code, mode).then(
        function (result) { return result || { ok: false, error: "The runtime returned nothing." }; },
        function (error) { return { ok: false, stopped: /stop/i.test(String(error && error.message)), error: String(error && error.message ? error.message : error) }; }
      );
    });
    Promise.all(runs).then(function (results) {
      if (self.state.dataset.runtime !== "running") return; /* Stop already said so */
      self.show(versions, results, mode);
      if (results.some(function (r) { return r.stopped; })) self.setState("stopped", STOPPED);
      else self.setState("ready");
    });
  };
  Card.prototype.show = function (versions, results, mode) {
    var both = versions.length > 1;
    var html = results.map(function (r, i) {
      return '<div class="exercise-result" data-version="' + esc(versions[i]) + '">' + (both ? '<h4 class="exercise-result__version">Django ' + esc(versions[i]) + "</h4>" : "") + renderResult(r, mode) + "</div>";
    }).join("");
    this.results.innerHTML = both ? '<div class="exercise-results--both">' + html + "</div>" : html;
    if (mode !== "check") return;
    if (results.every(function (r) { return r.ok; })) {
      recordPassed(this.slug);
      this.card.querySelector("[data-exercise-passed]").hidden = false;
    } else {
      this.failedCheck = true;
    }
  };
  Card.prototype.stop = function () {
    var self = this;
    /* Another card on the page may be the one running: its Python is shared, per version. */
    var running = this.running.length ? this.running : this.chosen().map(function (v) { return self.runtime(v); });
    running.forEach(function (rt) { if (rt && rt.stop) rt.stop(); });
    this.running = [];
    this.setState("stopped", STOPPED);
    this.results.innerHTML = '<p class="lab-message" role="status">Stopped: your code was still running, so its Python was shut down.</p>';
  };

  Card.prototype.hint = function () {
    var list = this.card.querySelector("[data-hints]");
    if (this.hintsShown >= this.hintTexts.length) return;
    list.appendChild(this.hintTexts[this.hintsShown].cloneNode(true));
    this.hintsShown += 1;
    var count = this.card.querySelector("[data-hint-count]");
    count.textContent = "(" + this.hintsShown + " of " + this.hintTexts.length + ")";
    if (this.hintsShown === this.hintTexts.length) this.button("hint").disabled = true;
  };
  Card.prototype.showSolution = function () {
    if (!this.failedCheck && !window.confirm("Show a solution? Trying a hint or a Check first teaches more.")) return;
    var box = this.card.querySelector("[data-solution]");
    box.querySelector("[data-solution-code]").textContent = this.solution;
    box.hidden = false;
    this.button("solution").hidden = true;
  };
  Card.prototype.reset = function () {
    if (!window.confirm("Replace your code with the starter code? Your changes to this exercise will be lost.")) return;
    if (this.editor) this.editor.set(this.starter);
    store(this.codeKey, null);
  };

  Card.prototype.bind = function () {
    var self = this;
    this.card.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button || !self.card.contains(button)) return;
      var action = button.dataset.action;
      if (action === "run" || action === "check") self.attempt(action);
      else if (action === "stop") self.stop();
      else if (action === "hint") self.hint();
      else if (action === "solution") self.showSolution();
      else if (action === "use-solution" && self.editor) { self.editor.set(self.solution); self.editor.focus(); }
      else if (action === "reset") self.reset();
    });
    this.card.addEventListener("change", function (event) {
      if (event.target.closest("[data-version-switch]") && window.LabRuntime) self.warm().catch(function (e) { self.setState("error", "Python could not start: " + e.message); });
    });
  };

  function init() {
    if (!window.LabReport) return;
    document.querySelectorAll("[data-exercise]").forEach(function (card) {
      /* An exported (offline) copy has no live part: its card stays as it is, starter code and hints. */
      if (!card.__labExercise && card.querySelector("[data-exercise-live]")) card.__labExercise = new Card(card);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
