# Django Lab: the single entry point. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-dev migrate runtime run serve classroom load test test-unit test-fast test-postgres test-django61 test-course test-lesson lint fmt seed seed-large bench clean vendor-codemirror

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements

install-dev: $(VENV)/.installed-dev ## Also install the test and lint requirements

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate ## Load the canonical bookshop seed (the numbers lessons assert)
	$(PY) manage.py seed

seed-large: migrate ## Add 100,000 order items on top, for visible timings
	$(PY) manage.py seed --size 100000

# The exercise runtime (var/runtime/): pinned Pyodide from the npm registry and Django 6.1 from PyPI, both checked by
# SHA-256, and zips of this server's Django and code. A no-op when its inputs are unchanged (a checksum of them).
runtime: install ## Build the exercise runtime learners' browsers load (Pyodide, Django zips, the bookshop database)
	$(PY) manage.py build_runtime

run: seed runtime ## Set up and serve the site on http://127.0.0.1:8000 (SQLite, local memory, debug toolbar)
	@echo "Django Lab: http://$(HOST):$(PORT)/"
	$(PY) manage.py runlab $(HOST):$(PORT)

serve: install runtime ## Classroom mode: gunicorn, DEBUG off, PostgreSQL and Redis from the environment
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py createcachetable
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=0 GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi

classroom: install runtime ## Classroom behind nginx on one machine: page and run servers (deploy/classroom.sh start|stop|status)
	deploy/classroom.sh start

var/loadenv/.installed: bench/load/requirements.txt
	test -x var/loadenv/bin/python || $(PYTHON) -m venv var/loadenv
	var/loadenv/bin/pip install --quiet -r bench/load/requirements.txt
	touch $@

LOAD_HOST ?= http://$(HOST):$(PORT)
load: install var/loadenv/.installed ## Load-test a running classroom (LOAD_HOST) with locust: 100 learners and 4 abusers for 2 minutes
	$(PY) bench/load/run.py --host $(LOAD_HOST)

PG_URL ?= $(or $(LAB_TEST_POSTGRES_URL),postgres://postgres@127.0.0.1:5432/test)

# Two phases. First the unit tests three times side by side (SQLite on Django 5.2, PostgreSQL, Django 6.1 with
# Python 3.12): each leg has its own var/ folder, databases and private servers, and --output-sync prints each leg
# whole when it ends. Then, alone on the machine, the tests that drive a browser or start servers and time them.
# Every leg runs even when one fails; the exit status is a failure if any did (pytest's "no tests" included).
test: install-dev runtime ## Run the whole suite: unit tests on SQLite, PostgreSQL and Django 6.1, then browser and server tests
	@$(MAKE) --no-print-directory -k -j3 --output-sync=target test-unit test-postgres test-django61; legs=$$?; \
	$(PY) -m pytest -p no:cacheprovider -m "browser or servers"; browser=$$?; \
	echo "make test: unit legs exit $$legs, browser and server tests exit $$browser"; \
	[ $$legs -eq 0 ] && [ $$browser -eq 0 ]

test-unit: install-dev ## The unit tests on SQLite and Django 5.2 (no browser, no timed servers)
	$(PY) -m pytest -p no:cacheprovider -m "not browser and not servers"

test-postgres: install-dev ## The unit tests again on PostgreSQL (PG_URL); a failure in CI if unreachable
	@if $(PY) -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(PG_URL)" 2>/dev/null; then \
	  LAB_VAR_DIR=$(CURDIR)/var/leg-postgres LAB_RUNTIME_DIR=$(CURDIR)/var/runtime DATABASE_URL="$(PG_URL)" \
	    $(PY) -m pytest -p no:cacheprovider -m "not browser" lessons lab demos sandbox exercises; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is not reachable at $(PG_URL) (CI=true: this is a failure)"; exit 1; \
	else echo "Skipping the PostgreSQL leg: nothing reachable at $(PG_URL)"; fi

test-course: install-dev ## Run the tests in your own course folders (LAB_CONTENT_DIRS), with the lab's fixtures
	@if [ -z "$$LAB_CONTENT_DIRS" ]; then echo "Set LAB_CONTENT_DIRS (and LAB_COURSE_PACKAGES) to your course folder first."; exit 2; fi
	$(PY) -m pytest -p no:cacheprovider -c pyproject.toml --rootdir . -p conftest $$(echo "$$LAB_CONTENT_DIRS" | tr ':,' '  ')

test-lesson: install-dev ## Run the tests of one lesson's demos: make test-lesson LESSON=caching/per-view
	@test -n "$(LESSON)" || { echo "Name the lesson: make test-lesson LESSON=<track>/<slug>"; exit 2; }
	@files="$$($(PY) manage.py lesson_tests $(LESSON))" && $(PY) -m pytest -p no:cacheprovider -c pyproject.toml --rootdir . -p conftest $$files

# The course pins Django 5.2 LTS and must stay correct on 6.x: the unit tests run again on Django 6.1 with
# Python 3.12, in a virtualenv of their own. pyenv's 3.12.1 is on the CI machines; elsewhere point PYTHON312 at a 3.12.
PYTHON312 ?= $(shell pyenv root 2>/dev/null)/versions/3.12.1/bin/python
VENV61 := .venv-django61

$(VENV61)/.installed: requirements.txt requirements-dev.txt requirements-django61.txt
	test -x $(VENV61)/bin/python || $(PYTHON312) -m venv $(VENV61)
	$(VENV61)/bin/pip install --quiet --upgrade pip
	$(VENV61)/bin/pip install --quiet -r requirements-dev.txt
	$(VENV61)/bin/pip install --quiet -r requirements-django61.txt
	touch $@

test-django61: ## The unit tests again on Django 6.1 with Python 3.12 (PYTHON312); a failure in CI if missing
	@if [ -x "$(PYTHON312)" ]; then \
	  $(MAKE) --no-print-directory $(VENV61)/.installed && \
	  LAB_VAR_DIR=$(CURDIR)/var/leg-django61 LAB_RUNTIME_DIR=$(CURDIR)/var/runtime \
	    $(VENV61)/bin/python -m pytest -p no:cacheprovider -m "not browser and not servers" lessons lab demos sandbox exercises tests; \
	elif [ "$$CI" = "true" ]; then echo "No Python 3.12 at $(PYTHON312) for the Django 6.1 leg (CI=true: this is a failure)"; exit 1; \
	else echo "Skipping the Django 6.1 leg: no Python 3.12 at $(PYTHON312) (set PYTHON312=/path/to/python3.12)"; fi

test-fast: install-dev ## Run everything except the browser tests
	$(PY) -m pytest -p no:cacheprovider -m "not browser"

lint: install-dev ## ruff check, ruff format --check, Django checks, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fmt: install-dev ## Format and autofix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev runtime ## Measure requests per second (lesson page vs trivial view, middleware cost, query lab, caching)
	@for script in bench/pages.py bench/middleware.py bench/orm_lab.py bench/caching.py bench/exercises.py; do \
	  echo "== $$script"; $(PY) $$script || exit 1; done

# The exercise editor: CodeMirror 6 from the npm registry, pinned in package-lock.json, bundled into one committed
# file. npm is needed only to rebuild it (a maintainer's machine), never to run the site.
CODEMIRROR_SRC := frontend/codemirror
vendor-codemirror: ## Rebuild static/vendor/codemirror/codemirror.min.js from the pinned npm packages (needs npm)
	cd $(CODEMIRROR_SRC) && npm ci --no-audit --no-fund && npm run build

clean: ## Remove the virtualenvs and local data
	rm -rf $(VENV) $(VENV61) var
