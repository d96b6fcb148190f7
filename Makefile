# Radiant — `make run` serves the registry, `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest fuzz bench services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

## run: migrate the embedded SQLite database, load the built-in catalog, serve on HOST:PORT
run: $(VENV)/.installed
	$(BIN)/radiant db upgrade
	$(BIN)/radiant sync catalog
	$(BIN)/radiant serve --host $(HOST) --port $(PORT)

## services: start the local PostgreSQL if it is installed and not running
services:
	@bash scripts/services.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev services
	$(BIN)/pytest -n auto --dist worksteal

## test: ruff, mypy and pytest (SQLite and PostgreSQL)
test: lint typecheck pytest

## fuzz: schemathesis over the whole API, randomized, for RADIANT_FUZZ_SECONDS (default 300)
RADIANT_FUZZ_SECONDS ?= 300
fuzz: $(VENV)/.installed-dev
	RADIANT_FUZZ_SECONDS=$(RADIANT_FUZZ_SECONDS) $(BIN)/pytest -p no:xdist -q tests/test_api_fuzz.py

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# the comparison libraries are optional: the benchmark says so when one is missing
	$(BIN)/python -m pip install --quiet -e '.[bench]' || echo "genai-prices not installed"
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

# LiteLLM needs httpx, which must not enter the project's environment: a venv of its own
.venv-litellm/.installed:
	$(PYTHON) -m venv .venv-litellm
	.venv-litellm/bin/python -m pip install --quiet litellm || echo "litellm not installed"
	@touch $@

## bench: import time, snapshot build, alias lookup, filtered listing, cost of a usage
bench: $(VENV)/.installed-bench .venv-litellm/.installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .venv-litellm .mypy_cache .ruff_cache .pytest_cache
