"""Pinned downloads, checked by SHA-256: Pyodide's core files (npm registry) and the Django 6.1 wheel (PyPI).

A download whose checksum differs from its pin is refused (`ChecksumError`); such a file already on disk is
removed and fetched again.
Python's urllib fetches Pyodide (no npm needed); pip fetches the wheel (it honours the user's index and cache).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

PYODIDE_VERSION = "314.0.7"
PYODIDE_URL = f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE_VERSION}.tgz"
# What the worker loads (indexURL): the loader, the Emscripten module, CPython as WebAssembly, the standard library
# and the package index. sha256sum of each file inside the tarball above.
PYODIDE_FILES = {
    "pyodide.mjs": "6f1d60f7bf529beb300f0f47983c921d3982363640ba20af0e38efdddbc66109",
    "pyodide.asm.mjs": "f7cdc8ece80678ceb712f8e65ebe6d3a83203a180c399865f49612a051693635",
    "pyodide.asm.wasm": "cc36e3cab04fdfc9a63ff13eb52eae2b911bf46c025cc7b281f394bd3de1d5e6",
    "python_stdlib.zip": "fa1957e5777068fc4f7437f96d860ae2fbe9c19732ba06c84e004ec16dd7dd7a",
    "pyodide-lock.json": "5dc2fc119108bc148c7457dc86e7675b5c87e1cafd420b9c34c1eaef7b36c010",
}

# The version switch's second Django (pure Python, so Pyodide's CPython 3.14 runs it).
DJANGO_61_VERSION = "6.1.3"
DJANGO_61_WHEEL = f"django-{DJANGO_61_VERSION}-py3-none-any.whl"
DJANGO_61_SHA256 = "a0530e3fdac55d34ccc5893c36f6c57d7a7083064f3d414537e51473648b3290"


class ChecksumError(Exception):
    pass


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(name: str, data: bytes, expected: str) -> bytes:
    actual = sha256(data)
    if actual != expected:
        raise ChecksumError(f"{name}: SHA-256 {actual}, the pin is {expected}; refusing it.")
    return data


def pyodide_files(cache: Path, tarball: bytes | None = None) -> Path:
    """The pinned Pyodide files in `cache`/<version>/, downloaded when missing, each checked against its pin."""
    folder = cache / f"pyodide-{PYODIDE_VERSION}"
    if all(_checked(folder / name, digest) for name, digest in PYODIDE_FILES.items()):
        return folder
    if tarball is None:
        with urllib.request.urlopen(PYODIDE_URL, timeout=120) as response:  # noqa: S310 (a pinned https URL)
            tarball = response.read()
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name, digest in PYODIDE_FILES.items():
            try:
                member = archive.extractfile(f"package/{name}")
            except KeyError:
                member = None
            if member is None:
                raise ChecksumError(f"{name} is missing from {PYODIDE_URL}")
            data = verify(name, member.read(), digest)
            (folder / name).write_bytes(data)
    return folder


def django_61_wheel(cache: Path) -> Path:
    """The pinned Django 6.1 wheel in `cache`, downloaded with pip when missing, checked against its pin."""
    wheel = cache / DJANGO_61_WHEEL
    if not _checked(wheel, DJANGO_61_SHA256):
        cache.mkdir(parents=True, exist_ok=True)
        wheel.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        command += ["--python-version", "3.12", "--dest", str(cache), f"Django=={DJANGO_61_VERSION}"]
        subprocess.run(command, check=True)  # noqa: S603 (our own interpreter, fixed arguments)
    verify(DJANGO_61_WHEEL, wheel.read_bytes(), DJANGO_61_SHA256)
    return wheel


def _checked(path: Path, digest: str) -> bool:
    """True when `path` exists and matches its pin; a file that does not (tampered, half-written) is removed."""
    if not path.exists():
        return False
    if sha256(path.read_bytes()) == digest:
        return True
    path.unlink()
    return False
