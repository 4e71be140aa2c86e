# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Settings for the embedded default (SQLite, tasks in-process); the environment overrides them.
RUN_ENV := DEBUG=$${DEBUG:-true} SECRET_KEY=$${SECRET_KEY:-local-development-only-not-a-secret}

.PHONY: run test install install-dev chromium node assets lint typecheck layers migrations-check pytest clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev chromium

## Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## The CSS the pages use, built from npm packages into build/static (generated, not committed):
## Bootstrap's Sass, only the parts imported in assets/bootstrap.scss, less the selectors no
## template, script or form can produce. Needs Node.js and npm (Debian's if none is here);
## rebuilt only when the lock file, the Sass, the build script or a template/script changes.
ASSETS := build/.built
ASSET_SOURCES := package-lock.json assets/bootstrap.scss assets/build.mjs static/css/links.css \
  $(shell find templates static/js */templates -name '*.html' -o -name '*.jinja' -o -name '*.js' 2>/dev/null) \
  $(wildcard */templatetags/*.py)

node:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's nodejs and npm to build the CSS"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }

node_modules/.installed: package.json package-lock.json
	@$(MAKE) --no-print-directory node
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.installed $(VENV)/.installed $(ASSET_SOURCES)
	node assets/build.mjs $$($(BIN)/python -c 'import os, crispy_bootstrap5, crispy_forms; print(*(os.path.join(os.path.dirname(m.__file__), "templates") for m in (crispy_bootstrap5, crispy_forms)))')
	touch $@

assets: $(ASSETS)

run: install assets
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@[ -n "$$EMAIL_HOST" ] || echo "Mail (invitations, password resets) is not sent: it is printed here, in this console."
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## mypy with django-stubs over the apps (not migrations or tests).
typecheck: $(VENV)/.installed-dev
	SECRET_KEY=ci-typecheck $(BIN)/mypy

## The import layers in pyproject.toml: a new upward import fails the run.
layers: $(VENV)/.installed-dev
	$(BIN)/lint-imports

migrations-check: $(VENV)/.installed-dev
	SECRET_KEY=ci-migrations-check $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-dev assets
	$(BIN)/pytest $(PYTEST_ARGS)

test: install-dev lint typecheck layers migrations-check pytest

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache .ruff_cache node_modules build

## Benchmarks at programme scale on PostgreSQL (bench/README.md); not part of `make test`.
## Locust is installed into bench/.venv only, never into the app's environment.
## BENCH_ARGS=--scale=small|standard|national picks the data set and its database
## (links_bench5k, links_bench, links_national); BENCH_DATABASE_URL, when set, overrides it.

bench/.venv/.installed: bench/requirements.txt
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet --upgrade pip
	bench/.venv/bin/pip install --quiet -r bench/requirements.txt
	touch $@

.PHONY: bench
bench: install assets bench/.venv/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)
