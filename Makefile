# complaint-triage — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install run report test lint train bench models browser

help: ## Show this list.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

$(VENV)/.scale-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,scale]"
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its pinned dependencies.

run: install ## Install, train any missing model, migrate the database and serve on http://127.0.0.1:8000.
	$(BIN)/triage serve --host 127.0.0.1 --port 8000

report: install models ## Validate the data, print the data report, evaluate both models (reports/).
	$(BIN)/triage data validate data/tickets/train.jsonl data/tickets/test.jsonl data/replies/train.jsonl data/replies/test.jsonl
	$(BIN)/triage data stats --check
	$(BIN)/triage evaluate tickets
	$(BIN)/triage evaluate replies

models: install ## Train the severity and tone models unless a version already exists.
	@ls models/severity/*/metadata.json >/dev/null 2>&1 || $(BIN)/triage train tickets
	@ls models/tone/*/metadata.json >/dev/null 2>&1 || $(BIN)/triage train replies

train: install ## Train new versions of both models (challengers once a champion exists; see triage retrain), write reports/
	$(BIN)/triage train tickets
	$(BIN)/triage train replies

bench: install models ## Run the benchmarks (each beside its baseline; installs Debian's wrk for the server load).
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/triage_throughput.py
	$(BIN)/python benchmarks/check_latency.py
	$(BIN)/python benchmarks/server_load.py

lint: install ## ruff over the whole tree.
	$(BIN)/ruff check .

browser: ## Install Debian's chromium for the browser test (apt-get; needs root), unless present.
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "WARNING: could not install chromium; the browser test will be skipped"

test: install $(VENV)/.scale-installed lint browser ## Install (packages, Debian's chromium and PostgreSQL), lint, run the whole suite on SQLite and PostgreSQL.
	@url="$$(.ci/postgres.sh 2>/tmp/complaint-triage-postgres.log)" || echo "WARNING: no PostgreSQL (see /tmp/complaint-triage-postgres.log); its tests will be skipped"; \
		TRIAGE_TEST_POSTGRES_URL="$$url" $(BIN)/python -m pytest
