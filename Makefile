# complaint-triage — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install run test lint train bench

help: ## Show this list.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its pinned dependencies.

run: install ## Install, validate the data, train the severity model if missing, evaluate it (the main job for now).
	$(BIN)/triage data validate data/tickets/train.jsonl data/tickets/test.jsonl data/replies/train.jsonl data/replies/test.jsonl
	$(BIN)/triage data stats --check
	@ls models/severity/*/metadata.json >/dev/null 2>&1 || $(BIN)/triage train tickets
	$(BIN)/triage evaluate tickets

train: install ## Train a new severity model version (tickets) and write reports/severity.md.
	$(BIN)/triage train tickets

bench: install ## Run the benchmarks (throughput beside baseline and floor).
	@ls models/severity/*/metadata.json >/dev/null 2>&1 || $(BIN)/triage train tickets
	$(BIN)/python benchmarks/triage_throughput.py

lint: install ## ruff over the whole tree.
	$(BIN)/ruff check .

test: install lint ## Install, lint and run the whole test suite.
	$(BIN)/python -m pytest
