"""Runs inside Pyodide (precompile.mjs): add bytecode to the runtime's zips, so the browser never compiles them.

For each /work/in/<name>.zip (but the standard library, below): every module gets `__pycache__/<module>.cpython-3XX.pyc`, unchecked-hash based
(PEP 552: valid whatever the source's mtime), compiled with the file name it has in the browser (tracebacks
quote the right path). The same entries, plus the bytecode, go to /work/out/<name>.zip. Only Pyodide's CPython
can do this: its bytecode format is its version's, not the server's.
"""

import importlib.util
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

LIB = "/home/pyodide/lab"  # where the worker unpacks the zips
TAG = sys.implementation.cache_tag


def bytecode_name(name: str) -> str:
    folder, _, file = name.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{TAG}.pyc"


os.makedirs("/work/out", exist_ok=True)
for zip_name in sorted(os.listdir("/work/in")):
    if not zip_name.endswith(".zip") or zip_name == "python_stdlib.zip":
        continue
    with zipfile.ZipFile(f"/work/in/{zip_name}") as source, zipfile.ZipFile(
        f"/work/out/{zip_name}", "w", zipfile.ZIP_DEFLATED, compresslevel=9
    ) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
            if info.filename.endswith(".py"):
                code = compile(data, f"{LIB}/{info.filename}", "exec", dont_inherit=True)
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                target.writestr(zipfile.ZipInfo(bytecode_name(info.filename), info.date_time), pyc, zipfile.ZIP_DEFLATED)
print(f"bytecode for {TAG}")


# Pyodide's standard library (python_stdlib.zip) is source only, and compiling it was most of what remained
# (11 of 20 s): start Django as the worker does, then add bytecode for every module that took from the zip.
# zipimport prefers `<module>.pyc` beside `<module>.py` in a zip.
for zip_name in sorted(os.listdir("/work/out")):
    if zip_name != "python_stdlib.zip":
        with zipfile.ZipFile(f"/work/out/{zip_name}") as archive:
            archive.extractall(LIB)
sys.path.insert(0, LIB)
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.browser_settings",
    LAB_BROWSER_DATABASE="/work/in/bookshop.sqlite3",
    DJANGO_ALLOW_ASYNC_UNSAFE="true",
)
import django  # noqa: E402

django.setup()
import django.test  # noqa: E402, F401
from django.template.loader import get_template  # noqa: E402

from lab import exercises, recorder, render  # noqa: E402, F401

get_template("lab/report.html")
for found in exercises.all_exercises()[:1]:
    exercises.attempt(found, found.solution, "run")
    exercises.attempt(found, found.solution, "check")
STDLIB = "/lib/python314.zip/"
used = {m.__file__[len(STDLIB) :] for m in list(sys.modules.values()) if (getattr(m, "__file__", "") or "").startswith(STDLIB)}
with zipfile.ZipFile("/work/in/python_stdlib.zip") as source, zipfile.ZipFile(
    "/work/out/python_stdlib.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9
) as target:
    for info in source.infolist():
        data = source.read(info)
        target.writestr(info, data, zipfile.ZIP_DEFLATED)
        if info.filename in used:
            code = compile(data, f"{STDLIB}{info.filename}", "exec", dont_inherit=True)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            target.writestr(zipfile.ZipInfo(info.filename[:-3] + ".pyc", info.date_time), pyc, zipfile.ZIP_DEFLATED)
print(f"stdlib bytecode for {len(used)} modules")
