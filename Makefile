# Targets match CI: .ci/run calls `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test test-fast lint bench eval load chromium postgresql lock

$(BIN)/shortlist: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch lies on disk; install it first so nothing pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# Exactly the locked versions; pyproject.toml keeps open ranges for library users.
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

run: $(BIN)/shortlist  ## the web app on http://127.0.0.1:8000 with the bundled knowledge base
	$(BIN)/shortlist serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

# Debian's PostgreSQL for the shared-database tests (a throwaway cluster per test module, on 127.0.0.1).
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql; }

test: $(BIN)/shortlist chromium postgresql  ## every test: unit, CLI, API, chat, eval, batch, browser, replicas
	$(BIN)/python -m pytest

test-fast: $(BIN)/shortlist  ## tests that need no real model, server or browser
	$(BIN)/python -m pytest -m "not slow and not browser and not server"

lint: $(BIN)/shortlist
	$(BIN)/ruff check assistant api eval tests bench
	$(BIN)/mypy

bench: $(BIN)/shortlist
	$(BIN)/python bench/review_bench.py
	$(BIN)/python bench/chat_bench.py

load: $(BIN)/shortlist postgresql  ## 30 users for 3 minutes, then kill -9 during writes, on SQLite and PostgreSQL
	$(BIN)/python bench/load_run.py

eval: $(BIN)/shortlist
	$(BIN)/shortlist eval run --suite all

lock:  ## refresh requirements.lock from a fresh venv with the newest versions pyproject.toml allows
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet torch==2.13.0
	.lock-venv/bin/pip install --quiet -e '.[test]'
	{ echo "# Exact versions 'make run' / 'make test' install (pip constraints). Refresh: make lock"; \
	  echo "# (a fresh venv, CPU torch first, then the open ranges of pyproject.toml, then pip freeze)."; \
	  .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .lock-venv
