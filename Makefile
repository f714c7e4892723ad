# The local platform, without Docker: LocalStack in host mode, Lambdas as host processes.
#   make demo   set everything up, run the platform, call it
#   make test   lint, type-check, and run every test suite against the local stack
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
PY312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(shell command -v python3.12))
PY313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13.*/bin/python3.13) $(shell command -v python3.13))
UV ?= $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
PYTHON := .venv/bin/python
export UV
export PATH := $(dir $(UV)):$(PATH)

BENCHES := $(patsubst bench/%.py,%,$(filter-out bench/_%.py,$(wildcard bench/*.py)))

.PHONY: espeak-ng chromium poppler-utils web help setup up down demo test lint typecheck openapi openapi-check deploy migrate \
	bench $(addprefix bench-,$(BENCHES)) clean event-schemas event-schemas-check redrive

help:
	@echo "make demo | make test | make up | make down | make bench | make bench-<name>"
	@echo "make setup | make deploy | make migrate | make openapi | make lint | make typecheck"

# ---- setup: each step reruns only when its lock file changes -----------------------------
$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
	@test -n "$(PY312)" || { echo "python3.12 not found (pyenv 3.12 expected)"; exit 1; }
	$(UV) sync --frozen --python $(PY312)
	@touch $@

localstack/.venv/.synced: localstack/requirements.lock localstack/hostexec/pyproject.toml | $(UV)
	@test -n "$(PY313)" || { echo "python3.13 not found (pyenv 3.13 expected)"; exit 1; }
	test -x localstack/.venv/bin/python || $(UV) venv --quiet --python $(PY313) localstack/.venv
	$(UV) pip sync --quiet --python localstack/.venv/bin/python localstack/requirements.lock
	$(UV) pip install --quiet --no-deps --python localstack/.venv/bin/python -e localstack/hostexec
	@touch $@

node_modules/.synced: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Test speech for the media pipeline's tests (issue 5): Debian's espeak-ng, installed when missing.
espeak-ng:
	@command -v espeak-ng >/dev/null || (apt-get install -y -qq espeak-ng >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null)) \
		|| echo "warning: espeak-ng could not be installed; speech samples will be missing"

web/node_modules/.synced: web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

# The web app's browser tests (issue 15) drive Debian's Chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || (apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
		|| { echo "chromium could not be installed (apt-get install chromium)"; exit 1; }

# The reports' tests (issue 17) read the candidate's PDF with Debian's poppler-utils
# (pdftotext, pdftoppm).
poppler-utils:
	@command -v pdftotext >/dev/null || (apt-get install -y -qq poppler-utils >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)) \
		|| { echo "poppler-utils could not be installed (apt-get install poppler-utils)"; exit 1; }

setup: .venv/.synced localstack/.venv/.synced node_modules/.synced web/node_modules/.synced espeak-ng chromium poppler-utils

# The web app: typed client generated from openapi.json, type-checked, bundled into web/dist.
web: setup
	npm --prefix web run build

# ---- the platform ---------------------------------------------------------------------
up: setup
	$(PYTHON) -m scripts.stack up

down:
	@if [ -x $(PYTHON) ]; then $(PYTHON) -m scripts.stack down; else python3 localstack/ctl.py stop; fi

deploy: setup
	$(PYTHON) -m scripts.stack deploy
	$(PYTHON) -m scripts.db migrate

migrate: setup
	$(PYTHON) -m scripts.db ensure
	$(PYTHON) -m scripts.db migrate

demo: up
	$(PYTHON) -m scripts.demo

# Move a queue's dead letters back to it: make redrive QUEUE=AuditQueueUrl (output name or URL)
redrive: setup
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=<stack output name or queue URL>"; exit 1; }
	$(PYTHON) -m scripts.redrive "$(QUEUE)"

# ---- quality --------------------------------------------------------------------------
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: setup
	.venv/bin/mypy

openapi: setup
	$(PYTHON) -m scripts.openapi

openapi-check: setup
	$(PYTHON) -m scripts.openapi --check

event-schemas: setup
	$(PYTHON) -m scripts.event_schemas

event-schemas-check: setup
	$(PYTHON) -m scripts.event_schemas --check

test: setup lint typecheck openapi-check event-schemas-check web
	$(PYTHON) -m scripts.run_tests

# ---- benchmarks -----------------------------------------------------------------------
bench: $(addprefix bench-,$(BENCHES))

$(addprefix bench-,$(BENCHES)): bench-%: setup
	$(PYTHON) -m bench.$*

clean: down
	rm -rf .build cdk.out localstack/.state cdk-outputs.json
