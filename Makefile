# The two commands that matter: `make run` and `make test`. Both build the virtualenv when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install migrate seed lint format clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the tests marked `slow` (schemathesis, bulk seeding, operator's guide, backup/restore, browsers), on both cores.
test-fast: lint
	$(BIN)/python -m pytest -m "not slow" -n 2 $(PYTEST_ARGS)

# ruff: lint rules and formatting (configured in pyproject.toml); `make format` rewrites what the check refuses.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PostgreSQL datasets of 10k and 1M subjects (created and seeded when missing), then the benchmark.
bench: install
	$(BIN)/python -m bench --prepare $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
