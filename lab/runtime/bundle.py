"""Build the runtime the browser loads: zips made from what this server runs, a bookshop database, a manifest.

Every output file is named by its content (`name.<sha256[:12]>.ext`) and listed in manifest.json, so the site can
serve it as immutable; an unchanged input gives the same name. `build()` skips everything when the digest of its
inputs (this server's Django, asgiref and sqlparse, the shipped source files, the pins) matches the manifest's.
(Slightly over 300 lines: what goes in each file and the one sequence that builds them read best together.)
"""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import asgiref
import django
import pygments
import sqlparse
from django.conf import settings

from . import fetch

ROOT = Path(settings.BASE_DIR)
WORKER = ROOT / "static" / "js" / "lab-runtime-worker.js"
PRECOMPILE = Path(__file__).with_name("precompile.mjs")
# The lab's modules the browser imports, and (found by following their imports) what those import.
LAB_ROOTS = ("lab/apps.py", "lab/checks.py", "lab/hooks.py", "lab/recorder.py", "lab/events.py", "lab/exercises.py")
LAB_ROOTS += ("lab/render.py", "lab/templatetags/__init__.py", "lab/templatetags/lab.py")  # the report's template
LAB_ROOTS += ("lab/caches.py",)  # the recorded cache backends config.browser_settings names (a string, not an import)
TEMPLATES = ("lab/templates/lab",)
LOCAL_PACKAGES = ("lab", "sandbox", "exercises", "config")
CONFIG_FILES = ("config/__init__.py", "config/browser_settings.py", "config/browser_urls.py")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same files give the same zip (and the same name)
COMPRESSIBLE = (".wasm", ".mjs", ".js", ".json", ".sqlite3")  # served gzipped when the browser accepts it


def skip_django_file(relative: str) -> bool:
    """Trim Django for the browser: no GeoDjango, no PostgreSQL extras, no static files, English locale only."""
    parts = relative.split("/")
    if "__pycache__" in parts or relative.endswith((".pyc", ".py-tpl")):
        return True
    if relative.startswith(("django/contrib/gis/", "django/contrib/postgres/", "django/conf/project_template/")):
        return True
    if relative.startswith(("django/conf/app_template/", "django/contrib/admindocs/")):
        return True
    if "static" in parts:
        return True
    if "locale" in parts:
        after = parts[parts.index("locale") + 1 :]
        return bool(after) and after[0] != "en" and len(after) > 1
    return False


def installed_files(package) -> Iterator[tuple[str, Path]]:
    """(name in the zip, path) for every file of an installed package, minus caches."""
    folder = Path(package.__file__).parent
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            relative = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            if "__pycache__" not in relative and not relative.endswith(".pyc"):
                yield relative, path


def make_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in sorted(entries):
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def django_entries() -> Iterator[tuple[str, bytes]]:
    """This server's Django (the version it runs), trimmed."""
    for name, path in installed_files(django):
        if not skip_django_file(name):
            yield name, path.read_bytes()


def wheel_entries(wheel: Path) -> Iterator[tuple[str, bytes]]:
    """Django from a wheel (the version switch's 6.1), trimmed the same way."""
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith("django/") and not name.endswith("/") and not skip_django_file(name):
                yield name, archive.read(name)


def dependency_entries() -> Iterator[tuple[str, bytes]]:
    for package in (asgiref, sqlparse):
        for name, path in installed_files(package):
            yield name, path.read_bytes()
    yield from pygments_entries()


# The report highlights SQL and Python (lab.render): only the Pygments modules that takes, found by doing it.
PYGMENTS_USED = """
import json, sys
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, SqlLexer
formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
highlight("select 1", SqlLexer(), formatter), highlight("x = 1", PythonLexer(), formatter)
print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() if n.split(".")[0] == "pygments")))
"""


def pygments_entries() -> Iterator[tuple[str, bytes]]:
    found = subprocess.run([sys.executable, "-c", PYGMENTS_USED], check=True, capture_output=True, text=True)  # noqa: S603
    folder = Path(pygments.__file__).parent
    for file in json.loads(found.stdout):
        yield f"pygments/{Path(file).relative_to(folder).as_posix()}", Path(file).read_bytes()


def local_modules() -> list[str]:
    """The project's files the browser needs: the sandbox app, the exercises, the lab's core and its imports."""
    files = set(CONFIG_FILES)
    for package in ("sandbox", "exercises"):
        folder = ROOT / package
        for path in folder.rglob("*.py") if folder.is_dir() else ():
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" not in relative and "/management/" not in relative and "/test_" not in relative:
                files.add(relative)
    todo = [f for f in LAB_ROOTS if (ROOT / f).exists()] + sorted(files)
    while todo:
        current = todo.pop()
        files.add(current)
        for imported in _local_imports(current):
            if imported not in files and imported not in todo:
                todo.append(imported)
    files.add("lab/__init__.py")
    return sorted(files)


def _local_imports(relative: str) -> Iterator[str]:
    """The files of LOCAL_PACKAGES that `relative` imports (anywhere in it: lazy imports too)."""
    module = relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    package = module if relative.endswith("__init__.py") else module.rpartition(".")[0]
    for node in ast.walk(ast.parse((ROOT / relative).read_text(), relative)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] in LOCAL_PACKAGES:
                for candidate in (f"{name.replace('.', '/')}.py", f"{name.replace('.', '/')}/__init__.py"):
                    if (ROOT / candidate).exists():
                        yield candidate
                parts = name.split(".")
                for i in range(1, len(parts)):  # a module's packages are imported first
                    init = "/".join(parts[:i]) + "/__init__.py"
                    if (ROOT / init).exists():
                        yield init


# Pyodide has no time zone database: the one zone the settings use, as a TZif file (zoneinfo reads it).
UTC_TZIF = base64.b64decode(
    "VFppZjIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAAQAAAAAAABVVEMAVFppZjIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAQAAAAQAAAAAAABVVEMAClVUQzAK"
)


def app_entries() -> Iterator[tuple[str, bytes]]:
    yield "zoneinfo/UTC", UTC_TZIF
    for relative in local_modules():
        yield relative, (ROOT / relative).read_bytes()
    for folder in TEMPLATES:
        for path in sorted((ROOT / folder).glob("*.html")):
            yield path.relative_to(ROOT).as_posix(), path.read_bytes()


def bookshop_database() -> bytes:
    """The canonical bookshop as an SQLite file: migrated and seeded with the browser's settings, on the server
    (migrating in the browser took 2.6 s)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bookshop.sqlite3"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.browser_settings", "LAB_BROWSER_DATABASE": str(database)}
        for command in (["migrate", "--noinput", "-v0"], ["seed"]):
            subprocess.run(  # noqa: S603 (our own manage.py)
                [sys.executable, str(ROOT / "manage.py"), *command], check=True, env=env, cwd=ROOT, capture_output=True
            )
        return database.read_bytes()


def inputs_digest() -> str:
    """What the build depends on; an unchanged digest means an unchanged runtime."""
    digest = hashlib.sha256()
    node = bool(shutil.which("node")) and os.environ.get("LAB_RUNTIME_BYTECODE") != "0"
    pins = [fetch.PYODIDE_VERSION, *fetch.PYODIDE_FILES.values(), fetch.DJANGO_61_SHA256, f"node={node}"]
    versions = [django.__version__, asgiref.__version__, sqlparse.__version__, pygments.__version__]
    digest.update(json.dumps([*versions, *pins]).encode())
    templates = [p.relative_to(ROOT).as_posix() for folder in TEMPLATES for p in sorted((ROOT / folder).glob("*.html"))]
    tools = ["static/js/lab-runtime-worker.js", "lab/runtime/bundle.py", "lab/runtime/precompile.py"]
    for relative in [*local_modules(), *templates, *tools, "lab/runtime/precompile.mjs"]:
        digest.update(relative.encode() + b"\0" + (ROOT / relative).read_bytes())
    return digest.hexdigest()


def hashed_name(stem: str, data: bytes, suffix: str) -> str:
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:12]}{suffix}"


def build(output: Path, cache: Path, *, force: bool = False, log=print) -> dict:
    """Write the runtime into `output` (and downloads into `cache`); returns the manifest."""
    manifest_path = output / "manifest.json"
    digest = inputs_digest()
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("inputs") == digest and all((output / name).exists() for name in manifest["files"]):
            log("The exercise runtime is up to date.")
            return manifest
    output.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}

    def write(name: str, data: bytes) -> str:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_bytes(data)
        if name.endswith(COMPRESSIBLE):
            (output / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        digest = hashlib.sha256(data)
        files[name] = {"size": len(data), "sha256": digest.hexdigest(), "integrity": _integrity(digest)}
        log(f"  {name}  {len(data) / 1e6:.2f} MB")
        return name

    log(f"Pyodide {fetch.PYODIDE_VERSION} (npm registry, checked by SHA-256):")
    source = fetch.pyodide_files(cache)
    log("Built from this server's packages and code:")
    worker = write(hashed_name("lab-runtime-worker", WORKER.read_bytes(), ".js"), WORKER.read_bytes())
    db = bookshop_database()
    db_name = write(hashed_name("bookshop", db, ".sqlite3"), db)
    zips = {
        "asgiref-sqlparse-pygments": make_zip(dependency_entries()),
        "bookshop-lab": make_zip(app_entries()),
        f"django-{django.__version__}": make_zip(django_entries()),
    }
    log(f"Django {fetch.DJANGO_61_VERSION} (PyPI wheel, checked by SHA-256):")
    zips[f"django-{fetch.DJANGO_61_VERSION}"] = make_zip(wheel_entries(fetch.django_61_wheel(cache)))
    stdlib = precompile(zips, source, db, log)
    # Pyodide loads its files by fixed names from one folder: the folder's name carries what is in it.
    core = {name: (source / name).read_bytes() for name in fetch.PYODIDE_FILES}
    if stdlib is not None:
        core["python_stdlib.zip"] = stdlib
    index = f"pyodide-{fetch.PYODIDE_VERSION}-{hashlib.sha256(b''.join(core.values())).hexdigest()[:8]}/"
    for name, data in core.items():
        write(index + name, data)
    names = {stem: write(hashed_name(stem, data, ".zip"), data) for stem, data in zips.items()}
    common = [names["asgiref-sqlparse-pygments"], names["bookshop-lab"]]
    versions = {}
    for full in (django.__version__, fetch.DJANGO_61_VERSION):
        version = ".".join(full.split(".")[:2])
        versions[version] = {"django": full, "zips": [names[f"django-{full}"], *common], "database": db_name}
    manifest = {
        "inputs": digest,
        "worker": worker,
        "pyodide": {"version": fetch.PYODIDE_VERSION, "index": index},
        "bytecode": stdlib is not None,
        "versions": versions,
        "files": files,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    _remove_stale(output, set(files) | {"manifest.json"})
    return manifest


def precompile(zips: dict[str, bytes], pyodide: Path, database: bytes, log) -> bytes | None:
    """Add bytecode compiled by Pyodide's CPython to the zips (in place) and to the standard library (returned) when
    Node.js is here; None when it is not.

    Compiling was most of Django's start in the browser (14 of 20 s on a loaded 2-core machine); without Node the
    worker compiles on each first visit and keeps Django's bytecode in IndexedDB for the next.
    """
    node = shutil.which("node")
    if not node or os.environ.get("LAB_RUNTIME_BYTECODE") == "0":
        log("  no Node.js: the browser compiles Python on a first visit (set up Node.js for faster cold starts)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "in").mkdir()
        for stem, data in zips.items():
            (work / "in" / f"{stem}.zip").write_bytes(data)
        (work / "in" / "bookshop.sqlite3").write_bytes(database)
        shutil.copy(pyodide / "python_stdlib.zip", work / "in" / "python_stdlib.zip")
        env = {**os.environ, "LAB_DJANGO_ZIP": f"django-{django.__version__}.zip"}
        command = [node, str(PRECOMPILE), str(pyodide), str(work)]
        done = subprocess.run(command, capture_output=True, text=True, env=env)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"Compiling bytecode with Pyodide failed:\n{done.stdout}\n{done.stderr}")
        for stem in zips:
            zips[stem] = (work / "out" / f"{stem}.zip").read_bytes()
        log(f"  bytecode compiled by Pyodide's CPython (Node.js): {done.stdout.strip().splitlines()[-1]}")
        return (work / "out" / "python_stdlib.zip").read_bytes()


def _integrity(digest) -> str:
    """Subresource Integrity: the worker's fetch() refuses a file that is not what the manifest says."""
    return "sha256-" + base64.b64encode(digest.digest()).decode()


def _remove_stale(output: Path, keep: set[str]) -> None:
    for path in sorted(output.rglob("*"), reverse=True):
        relative = path.relative_to(output).as_posix()
        if path.is_file() and relative.removesuffix(".gz") not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
