# complaint-triage — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install run test lint stats

help: ## Show this list.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its pinned dependencies.

run: install ## Install, validate every dataset and print the data report (the main job for now).
	$(BIN)/triage data validate data/tickets/train.jsonl data/tickets/test.jsonl data/replies/train.jsonl data/replies/test.jsonl
	$(BIN)/triage data stats --check

lint: install ## ruff over the whole tree.
	$(BIN)/ruff check .

test: install lint ## Install, lint and run the whole test suite.
	$(BIN)/python -m pytest
