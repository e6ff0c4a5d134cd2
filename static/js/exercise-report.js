/* Django Lab: an exercise run's lab report, drawn in the browser with the same markup and classes as the
   server's demo reports (lab/templates/lab/report.html, step.html, sql.html, signals.html, cache.html,
   headers.html). The data comes from the learner's own run in their browser; every value is escaped.

   window.LabReport.render(report) -> HTML string, where report is
     { steps: [step...], wall_ms, cpu_ms, headline_text, error }  and each step has the fields of
     lab.recorder.Step: label, key, code, call, error, error_type, ms, facts, fact_labels, tables,
     log, queries, signals, cache_ops, trace, request_headers, response_headers. */
(function () {
  "use strict";
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) { return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function ms(value) {
    var n = Number(value) || 0;
    if (n >= 1000) return (n / 1000).toFixed(2) + " s";
    return (n >= 10 ? n.toFixed(1) : n.toFixed(2)) + " ms";
  }
  function plural(n, one, many) { return n === 1 ? one : many; }
  function show(value) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  function code(value, cls) { return "<code" + (cls ? ' class="' + cls + '"' : "") + ">" + esc(value) + "</code>"; }
  function pre(text) { return '<div class="codeblock" data-copy><div class="highlight"><pre><code>' + esc(text) + "</code></pre></div></div>"; }
  function list(items) { return Array.isArray(items) ? items : []; }
  function entries(obj) { return obj && typeof obj === "object" ? Object.keys(obj).map(function (k) { return [k, obj[k]]; }) : []; }

  function sql(step) {
    var queries = list(step.queries);
    var total = queries.reduce(function (sum, q) { return sum + (Number(q.ms) || 0); }, 0);
    var out = '<details class="lab-section lab-sql" data-report="sql"' + (queries.length <= 3 ? " open" : "") + ">";
    out += "<summary><strong>SQL</strong> · " + queries.length + " " + plural(queries.length, "query", "queries") + " · " + ms(total) + "</summary>";
    out += '<ol class="lab-sql__list">';
    queries.slice(0, 40).forEach(function (q, i) {
      out += '<li class="lab-sql__item"><div class="lab-sql__meta"><span>#' + (i + 1) + "</span><span>" + esc(q.vendor || "sqlite") + "</span><span>" + ms(q.ms) + "</span>";
      if (q.error) out += '<span class="lab-bad">' + esc(q.error) + "</span>";
      out += "</div>" + pre(q.display || q.sql) + "</li>";
    });
    if (queries.length > 40) out += '<li class="lab-sql__more muted">… and ' + (queries.length - 40) + " more statements, counted above but not listed.</li>";
    return out + "</ol></details>";
  }

  function details(obj) {
    return entries(obj).map(function (kv) { return code(kv[0] + "=" + show(kv[1])); }).join(" ");
  }
  function signals(step) {
    var out = '<div class="lab-section lab-signals" data-report="signals"><h5>Signals, in the order they caused each other</h5><ol class="timeline">';
    list(step.signals).forEach(function (e) {
      out += '<li class="timeline__item timeline__item--' + esc(e.kind) + '" data-indent="' + esc(e.indent || e.depth || 0) + '"><span class="timeline__time">' + ms(e.ms) + "</span>";
      if (e.kind === "signal") {
        out += '<span class="timeline__what">' + code(e.name, "sig") + " sent by " + code(e.sender) + "</span>";
        if (entries(e.details).length) out += '<span class="timeline__details">' + details(e.details) + "</span>";
      } else if (e.kind === "receiver" || e.kind === "on_commit") {
        out += '<span class="timeline__what">' + (e.kind === "receiver" ? "↳ receiver " : "on_commit callback ") + code(e.name) + " ran" + (e.error ? " and raised " + code(e.error, "lab-bad") : "") + "</span>";
      } else {
        out += '<span class="timeline__what">' + code(e.name) + " " + details(e.details) + "</span>";
      }
      out += "</li>";
    });
    return out + "</ol></div>";
  }

  function cache(step) {
    var ops = list(step.cache_ops);
    var hits = ops.filter(function (op) { return op.hit === true && !op.depth; }).length;
    var misses = ops.filter(function (op) { return op.hit === false && !op.depth; }).length;
    var out = '<div class="lab-section lab-cache" data-report="cache"><h5>Cache calls <span class="muted">· ' + hits + " " + plural(hits, "hit", "hits") + ", " + misses + " " + plural(misses, "miss", "misses") + "</span></h5>";
    out += '<div class="lab-table-wrap"><table class="lab-table lab-table--compact"><thead><tr><th scope="col">#</th><th scope="col">alias</th><th scope="col">call</th><th scope="col">result</th><th scope="col">key</th><th scope="col">time</th></tr></thead><tbody>';
    ops.forEach(function (op, i) {
      var pill = op.hit === true ? '<span class="pill pill--hit">hit</span> ' : op.hit === false ? '<span class="pill pill--miss">miss</span> ' : "";
      out += "<tr" + (op.depth ? ' class="nested"' : "") + "><td>" + (i + 1) + "</td><td>" + esc(op.alias) + "</td><td>" + (op.depth ? '<span aria-hidden="true">↳ </span>' : "") + code(op.op) + "</td><td>" + pill + code(op.result) + "</td><td>" + code(op.key) + "</td><td>" + ms(op.ms) + "</td></tr>";
    });
    return out + "</tbody></table></div></div>";
  }

  function headerList(title, obj) {
    var rows = entries(obj).map(function (kv) { return "<div><dt>" + esc(kv[0]) + "</dt><dd>" + esc(kv[1]) + "</dd></div>"; }).join("");
    return rows ? "<div><h5>" + title + '</h5><dl class="hdr-list">' + rows + "</dl></div>" : "";
  }
  function headers(step) {
    var out = '<div class="lab-section lab-headers" data-report="headers">';
    if (list(step.trace).length) {
      out += '<h5>Through the onion</h5><ol class="onion-trace">';
      list(step.trace).forEach(function (e) {
        out += '<li class="onion-trace__item onion-trace__item--' + esc(e.phase) + '"><span class="onion-trace__layer">' + code(e.layer) + '</span><span class="onion-trace__phase">' + esc(e.phase) + "</span>";
        if (e.status) out += '<span class="pill">' + esc(e.status) + "</span>";
        entries(e.added).forEach(function (kv) { out += '<span class="hdr hdr--added">+ ' + esc(kv[0]) + ": " + esc(kv[1]) + "</span>"; });
        entries(e.changed).forEach(function (kv) { out += '<span class="hdr hdr--changed">~ ' + esc(kv[0]) + ": " + esc(list(kv[1])[0]) + " → " + esc(list(kv[1])[1]) + "</span>"; });
        list(e.removed).forEach(function (k) { out += '<span class="hdr hdr--removed">− ' + esc(k) + "</span>"; });
        out += "</li>";
      });
      out += "</ol>";
    }
    var pair = headerList("Request headers", step.request_headers) + headerList("Response headers", step.response_headers);
    if (pair) out += '<div class="header-pair">' + pair + "</div>";
    return out + "</div>";
  }

  function facts(step) {
    var labels = step.fact_labels || {};
    var rows = entries(step.facts).map(function (kv) {
      return "<div><dt>" + esc(labels[kv[0]] || kv[0]) + "</dt><dd>" + code(show(kv[1])) + "</dd></div>";
    });
    return rows.length ? '<dl class="lab-facts" data-report="facts">' + rows.join("") + "</dl>" : "";
  }
  function tables(step) {
    return list(step.tables).map(function (t) {
      var head = list(t.columns).map(function (c) { return '<th scope="col">' + esc(c) + "</th>"; }).join("");
      var body = list(t.rows).map(function (r) { return "<tr>" + list(r).map(function (v) { return "<td>" + esc(show(v)) + "</td>"; }).join("") + "</tr>"; }).join("");
      if (!body) body = '<tr><td colspan="' + list(t.columns).length + '" class="muted">No rows.</td></tr>';
      return '<div class="lab-table-wrap" data-report="rows"><table class="lab-table"><thead><tr>' + head + "</tr></thead><tbody>" + body + "</tbody></table></div>";
    }).join("");
  }

  /* lab.exercises.report_data() sends a compact step (SQL as strings, signals as "kind name", headers):
     read it as the Step fields the server's templates use. */
  function normal(s) {
    var out = Object.assign({}, s);
    out.queries = list(s.queries).map(function (q) { return typeof q === "string" ? { sql: q } : q; });
    out.signals = list(s.signals).map(function (e) {
      if (typeof e !== "string") return e;
      var parts = e.split(" ");
      return { kind: parts[0], name: parts.slice(1).join(" ") };
    });
    if (!out.response_headers && s.headers) out.response_headers = s.headers;
    return out;
  }

  function step(s) {
    var queries = list(s.queries).length;
    var out = '<article class="lab-step" data-step="' + esc(s.key) + '"><header class="lab-step__head"><h4 class="lab-step__title">' + esc(s.label) + '</h4><span class="lab-step__meta">' + ms(s.ms) + (queries ? " · " + queries + " " + plural(queries, "query", "queries") : "") + "</span></header>";
    if (s.code) out += '<div class="lab-step__code">' + pre(s.code) + (s.call && s.call !== s.code ? '<p class="lab-step__call">called as ' + code(s.call) + "</p>" : "") + "</div>";
    if (s.error) out += '<div class="lab-raised" data-report="error"><span class="lab-raised__type">' + esc(s.error_type) + "</span> " + esc(s.error) + "</div>";
    out += facts(s) + tables(s);
    if (list(s.log).length) out += '<ol class="lab-log" data-report="log">' + list(s.log).map(function (l) { return "<li>" + code(l) + "</li>"; }).join("") + "</ol>";
    if (list(s.trace).length || entries(s.response_headers).length) out += headers(s);
    if (list(s.signals).length) out += signals(s);
    if (list(s.cache_ops).length) out += cache(s);
    if (queries) out += sql(s);
    return out + "</article>";
  }

  function render(report) {
    var steps = list(report && report.steps).map(normal);
    var count = function (key) { return steps.reduce(function (n, s) { return n + list(s[key]).length; }, 0); };
    var sent = steps.reduce(function (n, s) { return n + list(s.signals).filter(function (e) { return e.kind === "signal"; }).length; }, 0);
    var q = count("queries"), c = count("cache_ops");
    var out = '<div class="lab-report" data-report-for="exercise">';
    var headline = report.headline_text || report.headline;
    if (headline) out += '<p class="lab-headline" data-headline>' + esc(headline) + "</p>";
    out += '<div class="lab-summary" data-report="summary"><span><strong>' + q + "</strong> SQL " + plural(q, "query", "queries") + "</span><span><strong>" + sent + "</strong> " + plural(sent, "signal", "signals") + " sent</span><span><strong>" + c + "</strong> cache " + plural(c, "call", "calls") + "</span><span>ran in <strong>" + ms(report.wall_ms) + "</strong>" + (report.cpu_ms !== undefined ? " (CPU " + ms(report.cpu_ms) + ")" : "") + "</span></div>";
    if (report.error) out += '<p class="lab-message" role="alert">' + esc(report.error) + "</p>";
    return out + steps.map(step).join("") + "</div>";
  }

  window.LabReport = { render: render, escape: esc };
})();
