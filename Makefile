# Radiant — `make run` serves the registry, `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest workers: twice the cores, since many tests wait on servers and subprocesses
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')

.PHONY: run test lint typecheck pytest fuzz bench services clean

# Python's default, whatever the shell says: modules compiled once, not in every process
# (the CLI and the test servers start hundreds of interpreters)
unexport PYTHONDONTWRITEBYTECODE

# installs go through uv (resolves and installs in seconds where pip takes a minute; a
# module is compiled when first imported, not all of every package at install); pip stays
# in the venv for users who want it
INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# its own target: a venv made before installs went through uv gets it too
$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv

$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(INSTALL) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/uv
	$(INSTALL) -e '.[dev]'
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
	$(BIN)/pytest -n $(WORKERS) --dist worksteal

## test: ruff, then mypy beside pytest (SQLite and PostgreSQL); fails if either fails
test: lint $(VENV)/.installed-dev services
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & typing=$$!; \
	$(BIN)/pytest -n $(WORKERS) --dist worksteal; tests=$$?; \
	wait $$typing; typed=$$?; echo "mypy:"; cat $(VENV)/mypy.log; \
	exit $$(( tests || typed ))

## fuzz: schemathesis over the whole API and the gateway, randomized, for RADIANT_FUZZ_SECONDS (default 300)
RADIANT_FUZZ_SECONDS ?= 300
fuzz: $(VENV)/.installed-dev
	RADIANT_FUZZ_SECONDS=$(RADIANT_FUZZ_SECONDS) $(BIN)/pytest -p no:xdist -q tests/test_api_fuzz.py tests/test_gateway_fuzz.py

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/uv
	$(INSTALL) -e '.[dev]'
	@# the comparison libraries are optional: the benchmark says so when one is missing
	$(INSTALL) -e '.[bench]' || echo "genai-prices not installed"
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
