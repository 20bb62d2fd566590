# Two commands matter: `make dev` (the whole system on localcloud) and `make test` (everything CI runs).
# Both set up what they need: a Python 3.13 venv for the app and tests, and a separate venv for
# aws-sam-cli, which pins boto3 and click exactly.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
SAM_VENV  := .venv-sam
PY        := $(VENV)/bin/python
SAM       := $(SAM_VENV)/bin/sam
PIP_FLAGS := --disable-pip-version-check --quiet
# sam build needs `python3.13` on PATH to build for the python3.13 runtime; the app venv provides it.
SAM_ENV   := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}
TEMPLATES := template.yaml $(wildcard services/*/template.yaml)
SERVICE   ?=
ENV       ?= default
SEED      ?=

.PHONY: help setup dev test lint unit validate build build-ci deploy invoke bench clean

help:
	@echo "make dev [SEED=1]           run everything on localcloud (Ctrl-C stops)"
	@echo "make test                   lint, unit + integration tests, sam validate --lint, sam build"
	@echo "make build [SERVICE=todos]  sam build the root or one service (arm64)"
	@echo "make deploy SERVICE=x ENV=y sam deploy one service (or the root without SERVICE)"
	@echo "make invoke FN=Stack/Function EVENT=events/x.json   invoke one function locally"
	@echo "make bench                  print localcloud figures"
	@echo "make fuzz [FUZZ_EXAMPLES=n] fuzz every API through localcloud, n examples per operation, new seeds"

setup: $(VENV)/.ready $(SAM_VENV)/.ready

$(VENV)/.ready: requirements/dev.txt layers/shared/requirements.txt services/todos/src/requirements.txt
	@PY313=$$(scripts/find-python313) || exit 1; \
	  echo "setup: app venv with $$PY313"; \
	  [ -x $(PY) ] || $$PY313 -m venv $(VENV); \
	  $(PY) -m pip install $(PIP_FLAGS) --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true; \
	  $(PY) -m pip install $(PIP_FLAGS) -r requirements/dev.txt 2>&1 | grep -v '^WARNING: Location'; \
	  test $${PIPESTATUS[0]} -eq 0
	@touch $@

$(SAM_VENV)/.ready: requirements/sam.txt
	@PY313=$$(scripts/find-python313) || exit 1; \
	  echo "setup: aws-sam-cli venv"; \
	  [ -x $(SAM_VENV)/bin/python ] || $$PY313 -m venv $(SAM_VENV); \
	  $(SAM_VENV)/bin/python -m pip install $(PIP_FLAGS) -r requirements/sam.txt 2>&1 | grep -v '^WARNING: Location'; \
	  test $${PIPESTATUS[0]} -eq 0
	@touch $@

dev: $(VENV)/.ready
	$(PY) -m localcloud up $(if $(SEED),--seed scripts/seed_demo.py)

test: setup lint unit validate build-ci

lint: $(VENV)/.ready
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: $(VENV)/.ready
	$(PY) -m pytest

validate: $(SAM_VENV)/.ready
	@for t in $(TEMPLATES); do $(SAM_ENV) $(SAM) validate --lint --template-file $$t || exit 1; done

# What CI proves: the root builds from nothing, so the layer and every function really build for arm64,
# and every service also builds alone (its own pipeline deploys it that way).
build-ci: setup
	rm -rf .aws-sam/ci
	$(SAM_ENV) $(SAM) build --no-cached --build-dir .aws-sam/ci/root --template-file template.yaml
	$(PYC) .aws-sam/ci/root
	@for t in $(wildcard services/*/template.yaml); do \
	  svc=$$(basename $$(dirname $$t)); \
	  $(SAM_ENV) $(SAM) build --no-cached --build-dir .aws-sam/ci/$$svc --template-file $$t || exit 1; \
	done

# SAM zips files with a 1980 timestamp, so timestamp-based .pyc never validate on Lambda and every cold
# start recompiles. Hash-based .pyc (compiled by the same 3.13 as the runtime) stay valid.
PYC := $(PY) -m compileall -q -j 0 --invalidation-mode checked-hash

build: setup
	$(SAM_ENV) $(SAM) build $(if $(SERVICE),--config-env $(SERVICE))
	$(PYC) .aws-sam/build

deploy: setup
	$(SAM_ENV) $(SAM) deploy $(if $(SERVICE),--config-env $(SERVICE),--config-env $(ENV))

invoke: $(VENV)/.ready
	$(PY) -m localcloud invoke $(FN) -e $(EVENT)

bench: $(VENV)/.ready
	$(PY) bench/run_all.py

# `make test` runs the same fuzz test bounded (tests/apis/test_apis_fuzz.py DEFAULT_EXAMPLES, fixed seeds).
.PHONY: fuzz
fuzz: $(VENV)/.ready
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(PY) -m pytest -q -s tests/apis

clean:
	rm -rf .aws-sam .localcloud .hypothesis $(VENV) $(SAM_VENV)
