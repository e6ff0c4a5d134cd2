/* Practice (issue 13 items 8-11): progress that follows what the learner did, check-yourself questions, search.
   Progress lives in this browser only, in the object site.js keeps under "lab-progress": lesson keys
   ("orm/aggregation": time marked complete) plus "exercises" (written by exercise-card.js),
   "predictions" ("<demo>#<n>": {right, given, at}) and "demos" (<slug>: {runs, at}), written here. */
(function () {
  "use strict";
  var KEY = "lab-progress";
  var FORMAT = "django-lab-progress";
  var LESSON_RE = /^[a-z0-9-]+\/[a-z0-9-]+$/;
  var SLUG_RE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(KEY) || "{}");
      return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
    } catch (e) { return {}; }
  }
  function save(progress) {
    try { localStorage.setItem(KEY, JSON.stringify(progress)); } catch (e) { return false; }
    window.dispatchEvent(new CustomEvent("lab:progress", { detail: { source: "practice" } }));
    return true;
  }
  function section(progress, name) {
    var found = progress[name];
    if (!found || typeof found !== "object" || Array.isArray(found)) progress[name] = found = {};
    return found;
  }

  /* A report arrived (htmx swap, or the page itself after a run without htmx): count the run, keep the grades. */
  function recordReport(scope) {
    var reports = scope.querySelectorAll ? scope.querySelectorAll("[data-report-for]") : [];
    var graded = scope.querySelectorAll ? scope.querySelectorAll("[data-predict-result]") : [];
    if (!reports.length && !graded.length) return;
    var progress = load();
    var now = new Date().toISOString();
    reports.forEach(function (report) {
      if (report.dataset.status !== "200" || report.hasAttribute("data-progress-counted")) return;
      report.setAttribute("data-progress-counted", "");
      var demos = section(progress, "demos");
      var slug = report.dataset.reportFor;
      demos[slug] = { runs: ((demos[slug] && demos[slug].runs) || 0) + 1, at: now };
    });
    graded.forEach(function (result) {
      if (result.hasAttribute("data-progress-counted")) return;
      result.setAttribute("data-progress-counted", "");
      section(progress, "predictions")[result.dataset.demoSlug + "#" + result.dataset.predictIndex] = {
        right: result.dataset.predictResult === "right", at: now
      };
    });
    save(progress);
  }

  function lessonTally(item, progress) {
    var demos = (item.dataset.lessonDemos || "").split(" ").filter(Boolean);
    var exercises = (item.dataset.lessonExercises || "").split(" ").filter(Boolean);
    var predictions = section(progress, "predictions");
    var tally = { demos: demos.length, run: 0, predictions: Number(item.dataset.lessonPredictions || 0), made: 0, right: 0,
      exercises: exercises.length, passed: 0 };
    demos.forEach(function (slug) {
      if (progress.demos && progress.demos[slug]) tally.run += 1;
      Object.keys(predictions).forEach(function (key) {
        if (key.slice(0, key.lastIndexOf("#")) !== slug) return;
        tally.made += 1;
        if (predictions[key].right) tally.right += 1;
      });
    });
    exercises.forEach(function (slug) {
      if (progress.exercises && progress.exercises[slug] && progress.exercises[slug].passed) tally.passed += 1;
    });
    return tally;
  }
  function sentence(t) {
    var parts = [];
    if (t.predictions) parts.push(t.right + " of " + t.predictions + " prediction" + (t.predictions === 1 ? "" : "s") + " right");
    if (t.exercises) parts.push(t.passed + " of " + t.exercises + " exercise" + (t.exercises === 1 ? "" : "s") + " passed");
    if (t.demos) parts.push(t.run + " of " + t.demos + " demo" + (t.demos === 1 ? "" : "s") + " run");
    return parts.join(" · ");
  }
  function render() {
    var progress = load();
    document.querySelectorAll("[data-lesson-key][data-lesson-demos]").forEach(function (item) {
      var box = item.querySelector("[data-lesson-practice]");
      if (!box) return;
      var t = lessonTally(item, progress);
      var started = t.run || t.made || t.passed;
      box.hidden = !started;
      if (!started) { box.textContent = ""; return; }
      box.dataset.right = t.right;
      box.dataset.passed = t.passed;
      box.dataset.run = t.run;
      if (box.classList.contains("lesson-practice--full")) {
        box.textContent = sentence(t);
      } else {
        /* The sidebar is narrow: a short count, the full sentence for screen readers and on hover. */
        var done = t.right + t.passed, total = t.predictions + t.exercises;
        box.title = sentence(t);
        box.innerHTML = "";
        var shown = document.createElement("span");
        shown.setAttribute("aria-hidden", "true");
        shown.textContent = total ? done + "/" + total : "▶ " + t.run;
        var spoken = document.createElement("span");
        spoken.className = "visually-hidden";
        spoken.textContent = " (" + sentence(t) + ")";
        box.appendChild(shown);
        box.appendChild(spoken);
      }
    });
    renderQuestions(progress);
  }

  /* Check yourself: a question graded by a demo shows the learner's latest prediction on it. */
  function renderQuestions(progress) {
    var predictions = section(progress, "predictions");
    document.querySelectorAll("[data-question-demo]").forEach(function (question) {
      var slug = question.dataset.questionDemo;
      var made = Object.keys(predictions).filter(function (key) { return key.slice(0, key.lastIndexOf("#")) === slug; });
      var box = question.querySelector("[data-question-result]");
      if (!made.length) { if (box) box.remove(); return; }
      var right = made.filter(function (key) { return predictions[key].right; }).length;
      var verdict = right === made.length ? "right" : "wrong";
      if (!box) {
        box = document.createElement("p");
        box.className = "question__result";
        box.setAttribute("role", "status");
        var anchor = question.querySelector(".question__demo");
        question.insertBefore(box, anchor ? anchor.nextSibling : question.firstChild);
      }
      box.setAttribute("data-question-result", verdict);
      box.textContent = verdict === "right"
        ? "✓ Your prediction on the demo was right."
        : "✗ Your last prediction on the demo was wrong (" + right + " of " + made.length + " right): run it again, or read the model answer.";
    });
  }

  /* The "demo:" link goes to the card's predictions, where the question is answered. */
  function initQuestionLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".question__demo a");
      if (!link) return;
      var card = document.querySelector(link.getAttribute("href"));
      var predict = card && card.querySelector(".predict");
      if (!predict) return;
      event.preventDefault();
      predict.scrollIntoView({ block: "center" });
      var first = predict.querySelector("input");
      if (first) first.focus({ preventScroll: true });
      history.replaceState(null, "", link.getAttribute("href"));
    });
  }

  /* Export and import: a JSON file the learner can carry to another browser. */
  function validEntry(key, value) {
    if (LESSON_RE.test(key)) return typeof value === "number" && isFinite(value) && value > 0;
    if (key === "exercises" || key === "demos" || key === "predictions") {
      if (!value || typeof value !== "object" || Array.isArray(value)) return false;
      return Object.keys(value).every(function (slug) {
        var entry = value[slug];
        var name = key === "predictions" ? slug.replace(/#\d+$/, "") : slug;
        if (!SLUG_RE.test(name) || !entry || typeof entry !== "object") return false;
        if (key === "exercises") return typeof entry.passed === "boolean";
        if (key === "predictions") return typeof entry.right === "boolean" && /#\d+$/.test(slug);
        return typeof entry.runs === "number" && entry.runs >= 0;
      });
    }
    return false;
  }
  function parseImport(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { throw new Error("This file is not JSON, so it cannot be Django Lab progress."); }
    if (!data || data.format !== FORMAT) throw new Error("This JSON file is not a Django Lab progress export (its \"format\" is not \"" + FORMAT + "\").");
    if (data.version !== 1) throw new Error("This progress file is version " + data.version + "; this site reads version 1.");
    var progress = data.progress;
    if (!progress || typeof progress !== "object" || Array.isArray(progress)) throw new Error("This progress file has no \"progress\" object.");
    var bad = Object.keys(progress).filter(function (key) { return !validEntry(key, progress[key]); });
    if (bad.length) throw new Error("This progress file has entries this site does not understand: " + bad.slice(0, 3).join(", ") + ". Nothing was imported.");
    return progress;
  }
  function later(a, b) { return String((a && a.at) || "") >= String((b && b.at) || "") ? a : b; }
  function merge(mine, theirs) {
    Object.keys(theirs).forEach(function (key) {
      var value = theirs[key];
      if (LESSON_RE.test(key)) { mine[key] = Math.max(Number(mine[key]) || 0, value); return; }
      var target = section(mine, key);
      Object.keys(value).forEach(function (slug) {
        var old = target[slug];
        if (!old) { target[slug] = value[slug]; return; }
        if (key === "exercises") target[slug] = { passed: old.passed || value[slug].passed, at: later(old, value[slug]).at };
        else if (key === "demos") target[slug] = { runs: Math.max(old.runs || 0, value[slug].runs), at: later(old, value[slug]).at };
        else target[slug] = later(old, value[slug]);
      });
    });
    return mine;
  }
  function initTools() {
    document.querySelectorAll("[data-progress-tools]").forEach(function (tools) {
      tools.hidden = false;
      var status = tools.querySelector("[data-progress-io-status]");
      tools.querySelector("[data-progress-export]").addEventListener("click", function () {
        var blob = new Blob([JSON.stringify({ format: FORMAT, version: 1, exported: new Date().toISOString(), progress: load() }, null, 2)],
          { type: "application/json" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "django-lab-progress.json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
        status.textContent = "Saved django-lab-progress.json. Import it in another browser to carry on there.";
      });
      tools.querySelector("[data-progress-import]").addEventListener("change", function (event) {
        var file = event.target.files && event.target.files[0];
        if (!file) return;
        file.text().then(function (text) {
          var theirs = parseImport(text);
          var saved = save(merge(load(), theirs));
          status.removeAttribute("data-error");
          status.textContent = saved ? "Imported " + file.name + ": merged with the progress already in this browser." :
            "This browser is not keeping site data, so the progress cannot be saved.";
          window.dispatchEvent(new StorageEvent("storage", { key: KEY }));
        }).catch(function (error) {
          status.setAttribute("data-error", "");
          status.textContent = error.message;
        }).then(function () { event.target.value = ""; });
      });
    });
  }

  /* Search: "/" focuses the header's box, unless the learner is typing somewhere. */
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function initSearchKey() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var box = document.querySelector("[data-search]");
      if (!box) return;
      event.preventDefault();
      box.focus();
      box.select();
    });
  }

  function init() {
    initSearchKey();
    initQuestionLinks();
    initTools();
    recordReport(document);
    render();
    document.body.addEventListener("htmx:afterSwap", function (event) { recordReport(event.detail.target || document); });
    window.addEventListener("lab:progress", render);
    window.addEventListener("storage", function (event) { if (event.key === KEY) render(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
