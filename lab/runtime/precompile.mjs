// Compile the runtime's Python to bytecode with Pyodide's own CPython (run by Node.js at build time, when Node is
// installed): `node precompile.mjs <pyodide index dir> <work dir>`. Runs precompile.py inside Pyodide with <work dir>
// mounted at /work; it reads /work/in/*.zip and writes /work/out/*.zip (see precompile.py).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [index, work] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(index, "pyodide.mjs")).href);
const env = { HOME: "/home/pyodide", LAB_DJANGO_ZIP: process.env.LAB_DJANGO_ZIP };
const pyodide = await loadPyodide({ indexURL: index + path.sep, env, stdout: console.log, stderr: console.error });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
const script = fs.readFileSync(new URL("precompile.py", import.meta.url), "utf8");
pyodide.runPython(script, { filename: "precompile.py" });
