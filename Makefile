# Flask Club. `make` (or `make help`) lists the targets.
# Every target creates .venv and installs the pinned dependencies on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

SUBMISSION ?= solution
FORMAT     ?= text
STEP       ?=
SEED       ?=
OPTIONS     = $(if $(STEP),--step $(STEP)) $(if $(SEED),--seed $(SEED))

.DEFAULT_GOAL := help
.PHONY: help grade check run test lint

help: ## list the targets
	@echo "Flask Club: make TARGET [VARIABLE=value ...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.grader: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install Python 3.11+ with its venv module."; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.grader
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

grade: $(VENV)/.grader ## grade a submission: SUBMISSION=dir (default solution), FORMAT=json, STEP=n, SEED=n
	@$(PY) -m checks $(SUBMISSION) --format $(FORMAT) $(OPTIONS)

check: $(VENV)/.grader ## grade your work in starter/ (STEP=n for one step, SEED=n to repeat a run)
	@$(PY) -m checks starter $(OPTIONS)

run: $(VENV)/.grader ## start the reference solution on http://localhost:5000 (development server)
	cd solution && ../$(PY) app.py

test: $(VENV)/.dev ## run the kit's own tests (and ruff)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(VENV)/.dev ## ruff, the linter
	$(PY) -m ruff check .
