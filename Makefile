# The two commands of the README: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
HOST   ?= 127.0.0.1
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app portal

.PHONY: run test test-pg test-browser install install-test tick seed clean help bench bench-tools restart-test

help:
	@echo "make run    install, migrate, seed the demo data once, serve on http://$(HOST):$(PORT)"
	@echo "make test   install the test extras and run the test suite (SQLite)"
	@echo "make test-pg  the suite on PostgreSQL (PORTAL_TEST_DATABASE_URL, default local 'test')"
	@echo "make bench  seed PostgreSQL at scale 1 and 100, serve with gunicorn, load it with wrk (docs/performance.md)"
	@echo "make restart-test  restart PostgreSQL under a load of submissions and check nothing was lost"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(FLASK) db upgrade
	@$(FLASK) is-seeded || $(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT) — sign in with a demo account, password portal-demo (Ctrl+C stops)"
	@( while true; do $(FLASK) tick > /dev/null 2>&1; sleep 60; done ) & TICK=$$!; \
	  trap 'kill $$TICK 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT) --with-threads

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: install-test
	PORTAL_TEST_DATABASE_URL=$${PORTAL_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	  $(BIN)/python -m pytest $(PYTEST_ARGS)

tick: install
	$(FLASK) tick

# The benchmark and the fault test need a local PostgreSQL and Redis (and wrk, a Debian package).
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	@touch $(VENV)/.installed $@

bench-tools:
	@command -v wrk >/dev/null || { echo "Installing wrk (Debian package)"; \
	  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }

bench: $(VENV)/.installed-bench bench-tools
	$(BIN)/python bench/run.py $(BENCH_ARGS)

restart-test: $(VENV)/.installed-bench
	$(BIN)/python bench/restart_test.py $(RESTART_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
