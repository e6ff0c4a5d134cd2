/* The exercise runtime's worker (a module Web Worker, started by lab-runtime.js; never used directly).

   Messages in:  {type: "init", base, pyodide: {index}, files: {zips, database}, integrity: {name: sri}, bytecode}
                 {type: "attempt", id, slug, code, mode}
   Messages out: {type: "ready", timings}  {type: "error", error}  {type: "result", id, result}

   Loads Pyodide from this site, unpacks the Django, dependency and bookshop/lab zips, writes the pre-built bookshop
   database, sets up Django with config.browser_settings and answers attempts with lab.exercises.attempt(). Python
   runs synchronously here: a long attempt blocks this worker, never the page, and lab-runtime.js terminates it.
*/
const HOME = "/home/pyodide";
const LIB = `${HOME}/lab`;
let pyodide = null;
let attemptFunction = null;
let warmUp = null;

const PYCACHE = "/pycache";  // IndexedDB: a second visit imports Django from bytecode, not source

const SETUP = (key, bytecode) => `
import json, os, shutil, sys, time
sys.path.insert(0, ${JSON.stringify(LIB)})
if not ${bytecode ? "True" : "False"}:  # the zips carry no bytecode: compile once, keep it in IndexedDB
    # The zips' files get one fixed mtime, so bytecode kept from an earlier visit (per runtime build) stays valid.
    for _folder, _dirs, _files in os.walk(${JSON.stringify(LIB)}):
        for _name in _files:
            os.utime(os.path.join(_folder, _name), (315532800, 315532800))
    for _old in os.listdir(${JSON.stringify(PYCACHE)}):
        if _old != ${JSON.stringify(key)}:
            shutil.rmtree(os.path.join(${JSON.stringify(PYCACHE)}, _old), ignore_errors=True)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = ${JSON.stringify(`${PYCACHE}/${key}`)}
os.environ["DJANGO_SETTINGS_MODULE"] = "config.browser_settings"
os.environ["LAB_BROWSER_DATABASE"] = ${JSON.stringify(`${HOME}/bookshop.sqlite3`)}
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Pyodide's event loop is no server's: the ORM is safe here
_started = time.perf_counter()
import django
django.setup()
_setup_ms = (time.perf_counter() - _started) * 1000
from sandbox.models import Book
Book.objects.count()  # open the database now, not in the learner's first Run
import django.test, django.test.utils, lab.recorder, lab.render  # and compile what every attempt imports
from django.template.loader import get_template
get_template("lab/report.html")
_query_ms = (time.perf_counter() - _started) * 1000 - _setup_ms

from lab import exercises as _exercises

def _lab_attempt(slug, code, mode):
    found = _exercises.get(slug)
    if found is None:
        error = {"type": "LookupError", "message": f"No exercise {slug!r} in this runtime.", "line": None, "traceback": ""}
        return json.dumps({"slug": slug, "mode": mode, "ok": False, "checks": [], "error": error})
    try:
        result = _exercises.attempt(found, code, mode).as_dict()
    except BaseException as exc:  # the runner reports the learner's errors itself: this is the runtime failing
        import traceback
        error = {"type": type(exc).__name__, "message": f"The exercise runtime failed: {exc}", "line": None,
                 "traceback": traceback.format_exc()}
        result = {"slug": slug, "mode": mode, "ok": False, "checks": [], "error": error}
    return json.dumps(result, default=str)

def _lab_warm_up():
    """One Run of the first exercise's solution: compiles the report's templates and Pygments' lexers now."""
    first = next(iter(_exercises.all_exercises()), None)
    if first is not None:
        _exercises.attempt(first, first.solution, "run")

(_lab_attempt, _lab_warm_up)
`;

async function fetchBytes(url, integrity) {
  const response = await fetch(url, { integrity, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function init({ base, pyodide: core, files, integrity, bytecode }) {
  const started = performance.now();
  const timings = {};
  // The zips and the database download while Pyodide starts.
  const zips = files.zips.map((name) => fetchBytes(base + name, integrity[name]));
  const database = fetchBytes(base + files.database, integrity[files.database]);
  const { loadPyodide } = await import(`${base}${core.index}pyodide.mjs`);
  pyodide = await loadPyodide({
    indexURL: `${base}${core.index}`,
    stdout: (line) => console.debug(line),
    stderr: (line) => console.debug(line),
  });
  timings.pyodide = performance.now() - started;
  for (const zip of zips) pyodide.unpackArchive(await zip, "zip", { extractDir: LIB });
  pyodide.FS.writeFile(`${HOME}/bookshop.sqlite3`, await database);
  pyodide.FS.mkdirTree(PYCACHE);
  if (!bytecode) {
    pyodide.FS.mount(pyodide.FS.filesystems.IDBFS, {}, PYCACHE);
    await syncfs(true);
  }
  timings.unpacked = performance.now() - started;
  const key = [...files.zips].sort().join("+").replace(/[^A-Za-z0-9.+-]/g, "_");
  [attemptFunction, warmUp] = pyodide.runPython(SETUP(key, bytecode)).toJs();
  timings.django = performance.now() - started;
  timings.setup_ms = pyodide.globals.get("_setup_ms");
  timings.query_ms = pyodide.globals.get("_query_ms");
  return timings;
}

function syncfs(populate) {
  // Never fatal: without IndexedDB (a private window) Django just compiles from source each time.
  return new Promise((resolve) => pyodide.FS.syncfs(populate, (error) => resolve(error)));
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    try {
      self.postMessage({ type: "ready", timings: await init(message) });
      try {
        warmUp(); // before any attempt (messages wait for it), so the learner's first Run is not the slow one
      } catch (error) {
        console.debug("lab runtime warm-up:", error);
      }
      if (!message.bytecode) await syncfs(false); // keep the bytecode for the next visit
    } catch (error) {
      self.postMessage({ type: "error", error: `The exercise runtime failed to start: ${error.message || error}` });
    }
  } else if (message.type === "attempt") {
    const started = performance.now();
    let result;
    try {
      result = JSON.parse(attemptFunction(message.slug, message.code, message.mode));
    } catch (error) {
      const text = String(error.message || error);
      result = { slug: message.slug, mode: message.mode, ok: false, checks: [], error: { type: "RuntimeError", message: text, line: null, traceback: text } };
    }
    result.elapsed_ms = performance.now() - started;
    self.postMessage({ type: "result", id: message.id, result });
  }
};
