"""Serve the exercise runtime: /runtime/manifest.json (revalidated) and the files it names (immutable).

Every file but the manifest has its content in its URL (a hash, or Pyodide's pinned version), so a browser keeps it
for a year and a repeat visit downloads none of it. A file with a gzipped twin is sent gzipped to browsers that accept
it. The worker script carries its own Content-Security-Policy: it compiles WebAssembly and fetches from this site only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition, require_safe

IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".sqlite3": "application/vnd.sqlite3",
}
WORKER_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self'",
    ]
)


def build_dir() -> Path:
    return Path(settings.LAB_RUNTIME_DIR) / "build"


@lru_cache(maxsize=4)
def _manifest(mtime: float) -> tuple[bytes, str]:
    data = (build_dir() / "manifest.json").read_bytes()
    return data, json.loads(data)["inputs"][:32]


def manifest_bytes() -> tuple[bytes, str]:
    path = build_dir() / "manifest.json"
    if not path.exists():
        raise Http404("The exercise runtime is not built: run `make runtime` (manage.py build_runtime).")
    return _manifest(path.stat().st_mtime)


@require_safe
@condition(etag_func=lambda request: manifest_bytes()[1])
def manifest(request):
    response = HttpResponse(manifest_bytes()[0], content_type="application/json")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def runtime_file(request, name: str):
    data, _ = manifest_bytes()
    if name not in json.loads(data)["files"]:
        raise Http404("No such runtime file.")
    path = build_dir() / name
    suffix = path.suffix
    gzipped = path.with_name(path.name + ".gz")
    use_gzip = gzipped.exists() and "gzip" in request.headers.get("Accept-Encoding", "")
    response = FileResponse((gzipped if use_gzip else path).open("rb"), content_type=CONTENT_TYPES.get(suffix))
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    if gzipped.exists():
        patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = IMMUTABLE
    if name.startswith("lab-runtime-worker."):
        response["Content-Security-Policy"] = WORKER_CSP
    return response
