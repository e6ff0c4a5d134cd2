"""The exercise runtime: what a learner's browser needs to run real Django (Pyodide, zips, a bookshop database).

- `fetch`: the pinned Pyodide release from the npm registry, every file checked by SHA-256;
- `bundle`: zips built from what this server runs (Django, asgiref, sqlparse, the sandbox app, the lab's
  pure-Python core, the exercises), a Django 6.1 zip from its pinned wheel, and a pre-built bookshop SQLite file;
- `views`: the manifest (no-cache) and the hashed files (immutable) under /runtime/.

`manage.py build_runtime` (run by make) writes everything to var/runtime/. Nothing here is imported by the
browser: the worker (static/js/lab-runtime-worker.js) gets the zips, and config/browser_settings.py.
"""
