/* LabRuntime: learners' exercise code runs in their own browser (Pyodide, real Django, in a Web Worker).

   API (used by the exercise card; nothing else talks to the worker):

     <script src="{% static 'js/lab-runtime.js' %}" defer></script>   (the card's template includes it)

     const rt = LabRuntime.get("5.2");   // one runtime per Django version ("5.2" default, "6.1"); the same
                                          // object on every call; loading starts at the first get()
     rt.version                           // "5.2"
     rt.state                             // "loading" | "ready" | "running" | "stopped" | "error"
     rt.ready                             // Promise: resolves when Django is set up (rejects on "error");
                                          // after stop(), reading it (or the next attempt) loads a fresh worker
     rt.error                             // the message when state is "error", else ""
     await rt.attempt(slug, code, mode)   // mode "run" | "check"; resolves with lab.exercises.Result.as_dict():
                                          //   {slug, mode, django, ok, checks: [{key, name, passed, message}],
                                          //    error: null | {type, message, line, traceback}, stdout,
                                          //    report, report_html, elapsed_ms}
                                          // Never rejects: a time-out or stop() resolves with
                                          //   {slug, mode, stopped: true, ok: false, checks: [],
                                          //    error: {type: "Stopped", message: "Stopped after 10 s: ...", ...}}
                                          // and the runtime failing to start with error.type "RuntimeError".
     rt.attempt(slug, code, mode, {timeLimit: 5000})   // per-attempt limit in ms (default LabRuntime.timeLimit)
     rt.stop()                            // terminates the worker at once; a pending attempt resolves "stopped"
     LabRuntime.timeLimit                 // 10000 ms by default
     LabRuntime.versions()                // Promise<["5.2", "6.1"]>: the versions this site ships

   Events: document receives "lab-runtime:state" (CustomEvent, detail {version, state, error}) on every
   state change; the runtime object is an EventTarget and receives the same "state" events.

   Where things come from: GET /runtime/manifest.json (no-cache, ETag) names the worker script and the
   hashed, immutable runtime files (Pyodide, the Django zips, the bookshop database); see README "Exercises
   runtime". Nothing is fetched from another site.
*/
(function () {
  "use strict";
  if (window.LabRuntime) return;
  const BASE = "/runtime/";
  const MANIFEST_URL = `${BASE}manifest.json`;
  let manifestPromise = null;
  const runtimes = new Map();

  function manifest() {
    if (!manifestPromise) {
      manifestPromise = fetch(MANIFEST_URL, { credentials: "same-origin" }).then((r) => {
        if (!r.ok) throw new Error(`The exercise runtime is not built (${MANIFEST_URL}: ${r.status}); run make runtime.`);
        return r.json();
      });
      manifestPromise.catch(() => { manifestPromise = null; });
    }
    return manifestPromise;
  }

  function failed(slug, mode, type, message, extra = {}) {
    const error = { type, message, line: null, traceback: message };
    return { slug, mode, ok: false, checks: [], error, stdout: "", report: null, report_html: "", ...extra };
  }

  class Runtime extends EventTarget {
    constructor(version) {
      super();
      this.version = version;
      this.state = "loading";
      this.error = "";
      this.worker = null;
      this.pending = null; // {id, resolve, timer, slug, mode}
      this.nextId = 1;
      this.generation = 0; // bumped by start() and stop(): a stale manifest or worker is ignored
      this.start();
    }

    setState(state, error = "") {
      this.state = state;
      this.error = error;
      const detail = { version: this.version, state, error };
      this.dispatchEvent(new CustomEvent("state", { detail }));
      document.dispatchEvent(new CustomEvent("lab-runtime:state", { detail }));
    }

    start() {
      const generation = ++this.generation;
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.setState("loading");
      let resolveReady, rejectReady;
      this.readyPromise = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
      this.readyPromise.catch(() => {}); // an unobserved failure is shown through state, not as an unhandled rejection
      manifest().then((m) => {
        if (generation !== this.generation) return;
        const files = m.versions[this.version];
        if (!files) throw new Error(`This site has no Django ${this.version} runtime (it has ${Object.keys(m.versions).join(", ")}).`);
        const worker = new Worker(BASE + m.worker, { type: "module", name: `lab-runtime-${this.version}` });
        this.worker = worker;
        worker.onmessage = (event) => this.receive(worker, event.data, resolveReady, rejectReady);
        worker.onerror = (event) => {
          if (worker !== this.worker) return;
          const message = `The exercise runtime failed to start: ${event.message || "worker error"}`;
          this.setState("error", message);
          rejectReady(new Error(message));
        };
        const integrity = {};
        for (const [name, file] of Object.entries(m.files)) integrity[name] = file.integrity;
        worker.postMessage({ type: "init", base: BASE, pyodide: m.pyodide, files, integrity, bytecode: m.bytecode, version: this.version });
      }).catch((err) => {
        if (generation !== this.generation) return;
        this.setState("error", String(err.message || err));
        rejectReady(err);
      });
    }

    get ready() {
      if (this.state === "stopped") this.start();
      return this.readyPromise;
    }

    receive(worker, data, resolveReady, rejectReady) {
      if (worker !== this.worker) return; // a stopped worker's last words
      if (data.type === "ready") {
        this.timings = data.timings;
        if (!this.pending) this.setState("ready");
        resolveReady(this);
      } else if (data.type === "error") {
        this.setState("error", data.error);
        rejectReady(new Error(data.error));
      } else if (data.type === "result" && this.pending && this.pending.id === data.id) {
        const pending = this.pending;
        this.pending = null;
        clearTimeout(pending.timer);
        this.setState("ready");
        pending.resolve(data.result);
      }
    }

    async attempt(slug, code, mode = "run", options = {}) {
      if (this.pending) this.stop("Stopped: a new attempt started before this one finished.");
      if (this.state === "stopped" || this.state === "error") this.start(); // a fresh worker (and a retry)
      const limit = options.timeLimit || LabRuntime.timeLimit;
      const id = this.nextId++;
      return new Promise((resolve) => {
        const pending = { id, resolve, slug, mode, timer: null };
        this.pending = pending;
        this.setState("running");
        this.ready.then(() => {
          if (this.pending !== pending) return;
          pending.timer = setTimeout(() => {
            this.stop(`Stopped after ${limit / 1000} s: the code was still running (an endless loop?). The next Run starts a fresh Python.`);
          }, limit);
          this.worker.postMessage({ type: "attempt", id, slug, code, mode });
        }, (err) => {
          if (this.pending !== pending) return;
          this.pending = null;
          resolve(failed(slug, mode, "RuntimeError", String(err.message || err)));
        });
      });
    }

    stop(message = "Stopped.") {
      this.generation++;
      if (this.worker) this.worker.terminate();
      this.worker = null;
      const pending = this.pending;
      this.pending = null;
      this.setState("stopped");
      if (pending) {
        clearTimeout(pending.timer);
        pending.resolve(failed(pending.slug, pending.mode, "Stopped", message, { stopped: true }));
      }
    }
  }

  window.LabRuntime = {
    timeLimit: 10000,
    get(version = "5.2") {
      if (!runtimes.has(version)) runtimes.set(version, new Runtime(version));
      return runtimes.get(version);
    },
    versions() {
      return manifest().then((m) => Object.keys(m.versions));
    },
  };
})();
