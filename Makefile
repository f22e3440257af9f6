# Jingkai: the two commands are `make demo` and `make test`; everything else is a helper.
# Each target sets up what it needs first (venv, Python packages, npm packages, static assets,
# translations), redoing a step only when its input changed, so every target is safe to run twice.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JINGKAI := $(BIN)/jingkai
PYTEST := $(BIN)/pytest
RUFF := $(BIN)/ruff
PY_STAMP := $(VENV)/.jingkai-installed
NPM_STAMP := node_modules/.jingkai-installed
PO_FILES := $(wildcard src/jingkai/locale/*/LC_MESSAGES/*.po)
# Where `make test-pg` runs the suite (pytest-django creates and drops test_<name> itself).
PG_URL ?= postgres://postgres@127.0.0.1:5432/jingkai_dev
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), one test file per worker at a time so that a module's demo zone is
# loaded once: PYTEST_WORKERS=0 runs it in this process (e.g. to use --pdb).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

.PHONY: help setup install lock assets messages demo test test-fast test-browser test-pg schemathesis lint fmt bench clean

help:
	@echo "make demo          set up, then run the demo zone at http://127.0.0.1:8000/ (logins in README.md)"
	@echo "make test          set up, then lint, Django checks and the whole test suite (browser tests included)"
	@echo "make test-fast     the suite without browser and slow tests"
	@echo "make test-browser  only the browser (Playwright + Chromium) tests"
	@echo "make test-pg       the suite against PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make schemathesis  fuzz the API of a served demo as two roles (scripts/schemathesis_gate.py)"
	@echo "make lint | fmt    ruff check + format check + import contracts | ruff fix + format"
	@echo "make bench         the page benchmark (benchmarks/pages.py, 100,000 enterprises)"
	@echo "make install | assets | messages | clean"
	@echo "make lock          regenerate requirements.lock (hashes) after a pyproject.toml change; UPGRADE=1 to upgrade"

# --- set-up -----------------------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file (or pyproject.toml) is newer than the stamp. Exactly the versions and
# hashes of requirements.lock (what CI tested), then Jingkai itself without resolving anything again.
$(PY_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Upgrades are deliberate commits: `make lock` adds what pyproject.toml gained and keeps every other pin;
# `make lock UPGRADE=1` moves every package to its newest allowed version. Commit requirements.lock.
LOCK_ARGS := --extra dev --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
lock: | $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) $(if $(UPGRADE),--upgrade) --output-file requirements.lock

# `npm ci` wipes node_modules, so the stamp is written after it.
$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

install: $(PY_STAMP) $(NPM_STAMP)

# var/static is STATIC_ROOT: whitenoise warns on every start-up (and in every test) while it is missing.
assets: $(NPM_STAMP) | $(BIN)/python
	$(BIN)/python scripts/copy_assets.py
	mkdir -p var/static

# The .mo files are committed, so a machine without gettext's msgfmt still runs translated.
# compilemessages is run from inside the package so that it does not walk .venv and node_modules;
# it skips catalogues whose .mo is already newer than the .po.
messages: $(PY_STAMP)
ifneq ($(strip $(PO_FILES)),)
	@if command -v msgfmt >/dev/null 2>&1; then \
		cd src/jingkai && ../../$(JINGKAI) compilemessages --verbosity 0 && echo "messages: catalogues compiled"; \
	else \
		echo "messages: msgfmt not found (apt-get install gettext); using the committed .mo files"; \
	fi
else
	@echo "messages: no .po catalogues yet"
endif

setup: install assets messages

# --- the two commands --------------------------------------------------------------------------------

demo: setup
	$(JINGKAI) demo

test: setup lint
	$(JINGKAI) check
	$(JINGKAI) makemigrations --check --dry-run
	$(PYTEST) $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# --- helpers -----------------------------------------------------------------------------------------

# lint-imports: the layer and no-cycle contracts of pyproject.toml ([tool.importlinter]; docs/development.md).
lint: $(PY_STAMP)
	$(RUFF) check .
	$(RUFF) format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r src -lll

fmt: $(PY_STAMP)
	$(RUFF) check --fix .
	$(RUFF) format .

test-fast: setup
	$(PYTEST) $(PYTEST_PARALLEL) -m "not browser and not slow" $(PYTEST_ARGS)

test-browser: setup
	$(PYTEST) -m browser $(PYTEST_ARGS)

test-pg: setup
	createdb -h 127.0.0.1 -U postgres $(lastword $(subst /, ,$(PG_URL))) 2>/dev/null || true
	JINGKAI_DATABASE_URL=$(PG_URL) $(PYTEST) $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The schemathesis gate (docs/security.md §8): SCHEMATHESIS_SEED and SCHEMATHESIS_EXAMPLES override the defaults.
schemathesis: setup
	$(BIN)/python scripts/schemathesis_gate.py

bench: setup
	$(BIN)/python benchmarks/pages.py $(BENCH_ARGS)

# Generated files only: the virtualenv and the databases under var/ are kept.
clean:
	rm -rf node_modules src/jingkai/static/vendor var/static .pytest_cache .ruff_cache .hypothesis benchmarks/out
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
