# Pacta: `make run` to browse locally, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# A local run is a development run; production sets DJANGO_DEBUG=false and a real secret key.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

.PHONY: setup run serve migrate seed test lint format check-python clean bench fuzz loadtest eval-import mutate

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pacta needs Python 3.11 or newer; set PYTHON=python3.x")'

$(INSTALLED): pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(INSTALLED)

setup: $(INSTALLED)

migrate: setup
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	@# The API throttle's table (also made by a migration; this covers a cache switched later).
	$(RUN_ENV) $(BIN)/python manage.py createcachetable

seed: migrate
	$(RUN_ENV) $(BIN)/python manage.py ensure_roles
	$(RUN_ENV) $(BIN)/python manage.py seed

run: seed
	@echo ""
	@echo "Pacta is starting on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "To create an analyst account (you type the password), in another terminal:"
	@echo "    $(BIN)/python manage.py create_analyst <username>            (add --editor for an Editor)"
	@echo ""
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pacta against Datasette on 100,000 generated meetings (bench/README.md). BENCH_DB=sqlite or
# postgres runs one database only; the results land in bench/results/.
BENCH_DB ?= all
$(VENV)/.bench-installed: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $@

bench: $(VENV)/.bench-installed
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	BENCH_DB=$(BENCH_DB) $(BIN)/python bench/run.py

# schemathesis at length: 500 examples per operation plus its coverage phase, for an anonymous
# and a staff client (tests/api/test_schemathesis.py; `make test` runs 10 examples).
FUZZ_EXAMPLES ?= 500
fuzz: setup
	PACTA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) PACTA_FUZZ_COVERAGE=1 \
		$(BIN)/python -m pytest -q tests/api/test_schemathesis.py $(PYTEST_ARGS)

# 200 users for 60 s against gunicorn on 127.0.0.1 (loadtest/README.md); fails on any error.
$(VENV)/.load-installed: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,load]"
	@touch $@

loadtest: $(VENV)/.load-installed
	bash loadtest/run.sh

# Precision and recall of the article import assistant on the five seed texts, leaving each
# text's records out of the gazetteer in turn (seeds/importer/evaluate.py); fails below target.
eval-import: setup
	$(BIN)/python -m seeds.importer.evaluate

# mutmut over the modules in mutate/targets.py, each against its own tests only (mutate/run.py).
# MUTATE=locking runs one target; PACTA_MUTATE_DATABASE_URL=postgres://… also runs the targets
# with PostgreSQL-only races there. Not in CI: it takes minutes per module.
MUTATE ?=
$(VENV)/.mutate-installed: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,mutate]"
	@touch $@

mutate: $(VENV)/.mutate-installed
	$(BIN)/python mutate/run.py $(MUTATE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache mutate/.work
