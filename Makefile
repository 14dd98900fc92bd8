# Targets match CI: .ci/run calls `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test test-fast lint bench eval chromium

$(BIN)/shortlist: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch lies on disk; install it first so nothing pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/shortlist  ## the web app on http://127.0.0.1:8000 with the bundled knowledge base
	$(BIN)/shortlist serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

test: $(BIN)/shortlist chromium  ## every test: unit, CLI, API, chat, eval, batch, browser
	$(BIN)/python -m pytest

test-fast: $(BIN)/shortlist  ## tests that need no real model, server or browser
	$(BIN)/python -m pytest -m "not slow and not browser and not server"

lint: $(BIN)/shortlist
	$(BIN)/ruff check assistant api eval tests bench
	$(BIN)/mypy

bench: $(BIN)/shortlist
	$(BIN)/python bench/review_bench.py

eval: $(BIN)/shortlist
	$(BIN)/shortlist eval run --suite all
