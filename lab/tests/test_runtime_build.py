"""The exercise runtime's build: pinned downloads checked by SHA-256, trimmed zips, the bookshop database, the views."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import zipfile

import pytest

from lab.runtime import bundle, fetch


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def pins(monkeypatch):
    """Pins for two small stand-in files, so no test downloads Pyodide."""
    files = {"pyodide.mjs": b"export const loadPyodide = 1;\n", "pyodide.asm.wasm": b"\0asm\1\0\0\0"}
    monkeypatch.setattr(fetch, "PYODIDE_FILES", {name: fetch.sha256(data) for name, data in files.items()})
    return files


def test_the_pinned_files_are_extracted_when_their_checksums_match(tmp_path, pins):
    folder = fetch.pyodide_files(tmp_path, tarball=tarball(pins))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == pins


def test_a_tampered_download_is_refused_and_nothing_is_written(tmp_path, pins):
    tampered = {**pins, "pyodide.asm.wasm": b"\0asm\1\0\0\0 evil"}
    with pytest.raises(fetch.ChecksumError, match=r"pyodide.asm.wasm: SHA-256 [0-9a-f]{64}, the pin is"):
        fetch.pyodide_files(tmp_path, tarball=tarball(tampered))
    assert not (tmp_path / f"pyodide-{fetch.PYODIDE_VERSION}" / "pyodide.asm.wasm").exists()


def test_a_tampered_file_on_disk_is_fetched_again(tmp_path, pins):
    folder = fetch.pyodide_files(tmp_path, tarball=tarball(pins))
    (folder / "pyodide.mjs").write_bytes(b"alert(1)")
    fetch.pyodide_files(tmp_path, tarball=tarball(pins))
    assert (folder / "pyodide.mjs").read_bytes() == pins["pyodide.mjs"]


def test_a_file_missing_from_the_download_is_refused(tmp_path, pins):
    with pytest.raises(fetch.ChecksumError, match="pyodide.asm.wasm is missing"):
        fetch.pyodide_files(tmp_path, tarball=tarball({"pyodide.mjs": pins["pyodide.mjs"]}))


def test_a_wheel_that_is_not_the_pinned_one_is_refused(tmp_path):
    (tmp_path / fetch.DJANGO_61_WHEEL).write_bytes(b"not django")
    with pytest.raises(fetch.ChecksumError, match=fetch.DJANGO_61_WHEEL):
        fetch.verify(fetch.DJANGO_61_WHEEL, (tmp_path / fetch.DJANGO_61_WHEEL).read_bytes(), fetch.DJANGO_61_SHA256)


def test_django_is_trimmed_for_the_browser():
    names = set(zipfile.ZipFile(io.BytesIO(bundle.make_zip(bundle.django_entries()))).namelist())
    assert {"django/__init__.py", "django/db/models/query.py", "django/db/backends/sqlite3/base.py"} <= names
    assert "django/conf/locale/en/formats.py" in names
    assert not [n for n in names if n.startswith(("django/contrib/gis/", "django/contrib/postgres/"))]
    assert not [n for n in names if "/static/" in n or "__pycache__" in n]
    locales = {n.split("/locale/")[1].split("/")[0] for n in names if "/locale/" in n}
    assert locales <= {"en", "__init__.py"}


def test_the_app_zip_has_the_bookshop_the_lab_core_and_the_browser_settings():
    names = set(zipfile.ZipFile(io.BytesIO(bundle.make_zip(bundle.app_entries()))).namelist())
    expected = {"sandbox/models.py", "sandbox/migrations/0001_initial.py", "sandbox/seed.py", "lab/recorder.py"}
    expected |= {"lab/events.py", "lab/__init__.py", "config/browser_settings.py", "config/__init__.py"}
    assert expected <= names
    # Only what the browser imports: no server views, no settings with secrets, no tests.
    assert not {"lab/views.py", "config/settings.py", "lab/runtime/bundle.py"} & names
    assert not [n for n in names if "/tests/" in n or n.startswith(("lessons/", "demos/"))]


def test_the_same_inputs_give_the_same_zip_and_name():
    first, second = bundle.make_zip(bundle.app_entries()), bundle.make_zip(bundle.app_entries())
    assert first == second
    assert bundle.hashed_name("app", first, ".zip") == bundle.hashed_name("app", second, ".zip")


def test_the_bookshop_database_is_migrated_and_seeded(tmp_path):
    path = tmp_path / "bookshop.sqlite3"
    path.write_bytes(bundle.bookshop_database())
    with sqlite3.connect(path) as db:
        books = db.execute("select count(*) from sandbox_book").fetchone()[0]
        migrations = {row[0] for row in db.execute("select app from django_migrations")}
    assert books > 0
    assert {"sandbox", "auth", "contenttypes", "sessions"} <= migrations


@pytest.fixture
def runtime_dir(tmp_path, settings):
    settings.LAB_RUNTIME_DIR = tmp_path
    build = tmp_path / "build"
    (build / "pyodide-1").mkdir(parents=True)
    (build / "pyodide-1" / "pyodide.asm.wasm").write_bytes(b"\0asm")
    (build / "pyodide-1" / "pyodide.asm.wasm.gz").write_bytes(b"gzipped")
    (build / "lab-runtime-worker.abc.js").write_text("self.onmessage = () => {};")
    (build / "secret.txt").write_text("not in the manifest")
    files = {"pyodide-1/pyodide.asm.wasm": {}, "lab-runtime-worker.abc.js": {}}
    (build / "manifest.json").write_text(json.dumps({"inputs": "f" * 64, "files": files, "versions": {}}))
    return build


def test_the_manifest_is_revalidated_by_etag(client, runtime_dir):
    response = client.get("/runtime/manifest.json")
    assert response["Cache-Control"] == "no-cache"
    assert client.get("/runtime/manifest.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_runtime_files_are_immutable_and_gzipped_when_accepted(client, runtime_dir):
    plain = client.get("/runtime/pyodide-1/pyodide.asm.wasm")
    assert plain["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain["Content-Type"] == "application/wasm"
    assert b"".join(plain.streaming_content) == b"\0asm"
    gzipped = client.get("/runtime/pyodide-1/pyodide.asm.wasm", HTTP_ACCEPT_ENCODING="gzip, br")
    assert gzipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped["Vary"]


def test_only_files_in_the_manifest_are_served(client, runtime_dir):
    assert client.get("/runtime/secret.txt").status_code == 404
    assert client.get("/runtime/../settings.py").status_code == 404


def test_the_worker_runs_under_its_own_strict_policy(client, runtime_dir):
    policy = client.get("/runtime/lab-runtime-worker.abc.js")["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert "'unsafe-eval'" not in policy


def test_no_runtime_built_is_a_404_that_says_how_to_build_it(client, settings, tmp_path):
    settings.LAB_RUNTIME_DIR = tmp_path
    assert client.get("/runtime/manifest.json").status_code == 404
