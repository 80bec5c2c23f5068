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
JOBS       ?=
RUBRIC     ?=
OUT        ?=
FROM       ?=
LEVEL      ?=
HINT       ?=
OPTIONS     = $(if $(STEP),--step $(STEP)) $(if $(LEVEL),--level $(LEVEL)) $(if $(SEED),--seed $(SEED)) $(if $(V),-v) $(if $(JOBS),--jobs $(JOBS))

.DEFAULT_GOAL := help
.PHONY: help grade import check watch run test lint bench sandbox

help: ## list the targets
	@echo "Flask Club: make TARGET [VARIABLE=value ...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.grader: requirements.txt
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { echo "Flask Club runs on Python 3.10 or newer: $(PYTHON) is $$($(PYTHON) -c 'import sys; print("Python %d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo "not found"). Run make with PYTHON=python3.12 (or another one), or see the README."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV) with $(PYTHON): Flask Club needs Python 3.10 or newer with its venv module (on Debian and Ubuntu: apt install python3-venv)."; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.grader
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

grade: $(VENV)/.grader sandbox ## grade a submission, or a class folder: SUBMISSION=dir (default solution), FORMAT, STEP, SEED, JOBS, RUBRIC=file, OUT=dir
	@$(PY) -m checks $(SUBMISSION) --format $(FORMAT) $(OPTIONS) $(if $(RUBRIC),--rubric $(RUBRIC)) $(if $(OUT),--out $(OUT))

import: $(VENV)/.grader ## an LMS download (Canvas, Moodle, Gradescope zip, or a folder of git clones) into a class folder: FROM=zip OUT=dir (default class)
	@if [ -z "$(FROM)" ]; then echo "Which download? For example: make import FROM=submissions.zip OUT=class"; exit 2; fi
	@$(PY) -m checks import "$(FROM)" --out "$(or $(OUT),class)"

check: $(VENV)/.grader sandbox ## grade your work in starter/ (STEP=n, STEP=8-11 or STEP=9,10; LEVEL=n for one level; SEED=n to repeat a run)
	@$(PY) -m checks starter --student $(OPTIONS)

watch: $(VENV)/.grader ## grade starter/ (or SUBMISSION=dir) again each time a file is saved (STEP=n; Ctrl-C stops)
	@$(PY) -m checks.watch $(if $(filter command line,$(origin SUBMISSION)),$(SUBMISSION),starter) --student $(OPTIONS)

run: $(VENV)/.grader ## start the reference solution on http://localhost:5000 (development server): CLUB_PASSWORD=...
	cd solution && ../$(PY) app.py

test: $(VENV)/.dev browser sandbox ## run the kit's own tests (and ruff)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(VENV)/.dev ## ruff, the linter
	$(PY) -m ruff check .

bench: $(VENV)/.grader ## time grading one submission and a class (CLASS=50) beside a pytest floor measured in the same run
	$(PY) -m tools.bench $(if $(CLASS),--class-size $(CLASS))

# Mutation testing of the checks themselves (tools/mutation.py): slow, so not part of `make test`.
.PHONY: mutation
mutation: $(VENV)/.dev ## break the checks one edit at a time (mutmut, in a copy) and see the tests notice: dist/mutation/report.txt (FILES=...)
	$(PY) -m tools.mutation $(FILES)

# Debian's bubblewrap: the sandbox every submission's app runs in (checks/sandbox/bubblewrap.py),
# installed where it is missing and this machine can (root, with apt-get). Never fails: without it,
# `make check` runs the app with process limits only and says so; grading others' work refuses.
sandbox: ## install bubblewrap, the sandbox submissions run in, where it is missing (as root, with apt-get)
	@if command -v bwrap >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's bubblewrap, the sandbox submissions run in: apt-get install -y bubblewrap"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
	    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }; } \
	    || echo "Could not install bubblewrap: grading others' work will refuse (docs/instructor/grading.md)."; \
	else \
	  echo "No bubblewrap (bwrap), and no root apt-get to install it: run sudo apt-get install bubblewrap"; \
	fi

# The reference solution as real software: a production server, a load test, a real browser.
.PHONY: serve load browser screenshots

serve: $(VENV)/.grader ## the reference solution under waitress, for real use: CLUB_PASSWORD=... (PORT=5000)
	cd solution && ../$(PY) serve.py

load: $(VENV)/.grader ## load-test the solution under waitress (50 clients × 40 requests), then kill it mid-write
	$(PY) -m tools.load

# Debian's chromium for tests/test_browser.py, installed where it is missing and this machine can
# (root, with apt-get). Never fails: without it, the browser test skips and says why.
browser: ## install Debian's chromium for the browser test, where it is missing (as root, with apt-get)
	@if [ -x /usr/bin/chromium ]; then \
	  echo "Chromium for the browser test: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser test: apt-get update; apt-get install -y chromium"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	    || echo "Could not install chromium: the browser test will skip."; \
	else \
	  echo "No /usr/bin/chromium, and no root apt-get to install it: the browser test will skip."; \
	fi

screenshots: $(VENV)/.dev browser ## photograph the solution's pages in Chromium, for docs/student/images/
	SCREENSHOTS=$(CURDIR)/docs/student/images $(PY) -m pytest tests/test_browser.py -n 0 -q

# Where grades live: the students' repository (with the CI workflow), the Classroom 50 and Gradescope autograders.
# RUBRIC=file ships an edited copy of checks/rubric.toml instead (docs/instructor/rubric.md).
.PHONY: handout gradescope classroom50

handout: $(VENV)/.grader ## build dist/handout/: the repository students receive (starter, checks, docs, CI)
	$(PY) -m tools.handout dist/handout $(if $(RUBRIC),--rubric $(RUBRIC))

gradescope: $(VENV)/.grader ## build dist/gradescope.zip: the autograder to upload to Gradescope (RUBRIC=file)
	$(PY) -m tools.gradescope dist/gradescope.zip $(if $(RUBRIC),--rubric $(RUBRIC))

classroom50: $(VENV)/.grader ## build dist/classroom50/: the autograder for a Classroom 50 assignment (RUBRIC=file)
	$(PY) -m tools.classroom50 dist/classroom50 $(if $(RUBRIC),--rubric $(RUBRIC))

# Hints for students, and the docs as a website (MkDocs with the Material theme; mkdocs.yml).
.PHONY: hint docs docs-serve

hint: $(VENV)/.grader ## the next hint for a step: STEP=n (hint 1, then 2, then 3; HINT=k picks hint k)
	@if [ -n "$(LEVEL)" ]; then echo "make hint: LEVEL is the exercise's level (make check LEVEL=2); the hint's number is HINT, such as make hint STEP=$(or $(STEP),2) HINT=$(LEVEL)"; exit 2; fi
	@if [ -z "$(STEP)" ]; then echo "Which step? For example: make hint STEP=2"; exit 2; fi
	@$(PY) -m checks --student --hint $(STEP) $(if $(HINT),--hint-level $(HINT))

docs: $(VENV)/.dev ## build the docs website into site/ (strict: a broken link or anchor fails the build)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(VENV)/.dev ## serve the docs website on http://127.0.0.1:8000, rebuilt as you edit
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve
