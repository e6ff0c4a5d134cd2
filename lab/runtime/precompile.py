"""Runs inside Pyodide (precompile.mjs): add bytecode to the runtime's zips, so the browser need not compile them.

It unpacks /work/in/*.zip where the worker does, starts Django as the worker does (and runs the first exercise),
then writes each zip again to /work/out/ with bytecode for every module that start imported: our zips get
`__pycache__/<module>.cpython-3XX.pyc`, the standard library `<module>.pyc` beside `<module>.py` (zipimport's
layout). Unchecked hash-based bytecode (PEP 552) is valid whatever a file's mtime; each module is compiled with
the file name it has in the browser, so tracebacks quote the right path. Only Pyodide's CPython can do this: its
bytecode format is its version's, not the server's. Modules nothing imported at start stay source only (smaller).
"""

import importlib.util
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

LIB = "/home/pyodide/lab"  # where the worker unpacks the zips
STDLIB = "/lib/python314.zip"
TAG = sys.implementation.cache_tag
ZIPS = sorted(n for n in os.listdir("/work/in") if n.endswith(".zip") and n != "python_stdlib.zip")

for name in ZIPS:
    if not name.startswith("django-") or name == os.environ["LAB_DJANGO_ZIP"]:  # the server's Django
        with zipfile.ZipFile(f"/work/in/{name}") as archive:
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
used = {getattr(m, "__file__", None) or "" for m in list(sys.modules.values())}


def rewrite(source_zip: str, target_zip: str, root: str, bytecode_name, every_module: bool = False) -> int:
    count = 0
    with zipfile.ZipFile(source_zip) as source, zipfile.ZipFile(target_zip, "w", zipfile.ZIP_DEFLATED, 9) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
            path = f"{root}/{info.filename}"
            if path in used or (every_module and info.filename.endswith(".py")):
                code = compile(data, path, "exec", dont_inherit=True)
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                target.writestr(
                    zipfile.ZipInfo(bytecode_name(info.filename), info.date_time), pyc, zipfile.ZIP_DEFLATED
                )
                count += 1
    return count


def in_pycache(name: str) -> str:
    folder, _, file = name.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{TAG}.pyc"


os.makedirs("/work/out", exist_ok=True)
# Django: what starting it imports (the same paths in 6.1); the small zips (the lab, the bookshop, asgiref...): all.
counts = [rewrite(f"/work/in/{n}", f"/work/out/{n}", LIB, in_pycache, not n.startswith("django-")) for n in ZIPS]
counts.append(rewrite("/work/in/python_stdlib.zip", "/work/out/python_stdlib.zip", STDLIB, lambda n: n[:-3] + ".pyc"))
print(f"bytecode for {sum(counts)} modules ({counts[-1]} of the standard library)")
