# The two commands the README documents: `make run` (serve) and `make test` (lint + tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format check bench clean deploy-deps lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Bytecode is compiled up front: where PYTHONDONTWRITEBYTECODE is set, every (re)start would
# otherwise compile the project's modules again (a tenth of a second of a restart).
run: $(STAMP)
	$(BIN)/python -m compileall -q api schemas wsgi.py
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# nginx and redis-server (Debian packages, for tests/test_deploy.py and the benchmarks) are
# installed by deploy/install-deps.sh the first time; after that it does nothing.
deploy-deps:
	deploy/install-deps.sh

test: $(STAMP)
	deploy/install-deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/flask --app wsgi content check

bench: $(STAMP) deploy-deps
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance/index

# The lock: pyproject.toml's ranges resolved in a clean environment, pinned exactly.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q '.[dev]'
	{ sed -n '1,2p' requirements.lock; .lock-venv/bin/pip freeze --exclude-editable | grep -v '^clinic-content-api'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .lock-venv
