SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# sam build runs the build-* rules below from its own working directory: paths start here
ROOT   := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
VENV   ?= $(ROOT).venv
PYTHON := $(VENV)/bin/python
BIN    := $(VENV)/bin
PORT   ?= 3000
STACK  ?=
FAMILIES ?= 10000
TOOLS_ARGS = --port $(PORT) $(if $(STACK),--stack $(STACK)) $(if $(FAMILY),--family $(FAMILY))

export PYTHONPATH := $(CURDIR)/src
export SAM_CLI_TELEMETRY := 0

help: ## List the targets and the variables they read
	@if [ -t 1 ]; then on=$$'\033[36m'; off=$$'\033[0m'; else on=; off=; fi; \
	grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*?## "}; {printf "  %s%-10s%s %s\n", on, $$1, off, $$2}'; \
	echo; echo "Variables:"; \
	echo "  PORT=3000             the local site's port (make run, story, family, smoke)"; \
	echo "  CATALOG=path          your own catalog file (make run, seed)"; \
	echo "  FAMILY=id             the family (make story, new-secret); default home"; \
	echo "  ADD=file.json         make family: add or change the families the file names"; \
	echo "  REMOVE=id             make family: remove that family"; \
	echo "  STACK=name            a deployed stack (make story, seed, family, smoke, logs); default bedtime-stories"; \
	echo "  GUIDED=1              make deploy asks for every parameter"; \
	echo "  ALL=1                 make new-secret replaces every family's secret (FAMILY=id: one)"; \
	echo "  FAMILIES=n            families in make simulate's night; default 10000"; \
	echo "  FN, EVENT, PARAMS     make invoke: the function, its event file, parameter overrides"; \
	echo "make run also reads:"; \
	echo "  STORY_TIME=19:15      the home family's bedtime (HH:MM)"; \
	echo "  STORY_TIME_ZONE=zone  its IANA time zone, e.g. Europe/London"; \
	echo "  PRIVACY=public        a site that needs no link (default private)"; \
	echo "  CLOCK_SPEED=600       a clock that many times fast (default 1)"; \
	echo "  LOG_LEVEL=INFO        the functions' log level (default WARNING)"; \
	echo "  SITE_SCHEME=http      set by make run itself: the site's scheme (the cloud: https)"; \
	echo "  OPENAI_API_KEY=sk-... OpenAI writes and paints (without it: offline)"; \
	echo "  STORY_PROVIDER, IMAGE_PROVIDER, SPEECH_PROVIDER, OPENAI_BASE_URL, STORY_MODEL,"; \
	echo "  IMAGE_MODEL, IMAGE_QUALITY, SPEECH_MODEL, SPEECH_VOICE, STORY_LANGUAGE,"; \
	echo "  BEDROCK_TEXT_MODEL, BEDROCK_IMAGE_MODEL, ALLOW_MODEL_SUCCESSOR"; \
	echo "                        the template's settings of the same names (README, Configuration)"

# --- Set-up (first call only) -------------------------------------------------
$(VENV)/.local: requirements/*.txt
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	@echo "Installing what the local run needs (first time only)..."
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements/local.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.local requirements/dev.txt
	@echo "Installing the test tools (first time only)..."
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

# --- Local --------------------------------------------------------------------
run: $(VENV)/.local ## Run the whole flow locally (no AWS, no Docker, no key); prints the story's link
	@$(PYTHON) -m bedtime_local $(if $(CATALOG),--catalog $(CATALOG)) --port $(PORT)

story: $(VENV)/.local ## Make a story now on the `make run` on PORT (or STACK) and print its link
	@$(PYTHON) -m bedtime_tools story $(TOOLS_ARGS)

seed: $(VENV)/.local ## Load CATALOG=path (families and their catalogs) into the `make run` on PORT or STACK
	@$(PYTHON) -m bedtime_tools seed $(TOOLS_ARGS) $(if $(CATALOG),--catalog $(CATALOG))

family: $(VENV)/.local ## List families; ADD=file.json adds or changes, REMOVE=id removes (local run or STACK)
	@$(PYTHON) -m bedtime_tools family $(TOOLS_ARGS) $(if $(ADD),--add $(ADD)) $(if $(REMOVE),--remove $(REMOVE))

smoke: $(VENV)/.local ## Prove the deployed STACK (or the `make run` on PORT) from outside
	@$(PYTHON) -m bedtime_tools smoke $(TOOLS_ARGS)

new-secret: $(VENV)/.local ## Replace FAMILY's reader secret (ALL=1: every family's): its links, feed and browsers stop working
	@$(PYTHON) -m bedtime_tools new-secret $(TOOLS_ARGS) $(if $(ALL),--all)

# --- Quality ------------------------------------------------------------------
# Two processes share the tests one by one, except a file marked xdist_group, whose tests
# share a module fixture (a `make run`, the sam local stack, the browser): one process each.
test: $(VENV)/.dev ## The whole gate: lint, types, validate, scan, build, then every test
	@$(MAKE) lint
	@$(BIN)/mypy
	@$(MAKE) validate
	@$(MAKE) security
	@$(MAKE) build
	@$(BIN)/pytest -n 2 --dist loadgroup

check: $(VENV)/.dev ## The fast inner loop: ruff, mypy, and the tests that need no browser, build or full local run
	@$(MAKE) lint
	@$(BIN)/mypy
	@$(BIN)/pytest -q -n 2 -m "not browser and not slow and not build and not docker"

lint: $(VENV)/.dev ## ruff lint and format check
	@$(BIN)/ruff check src tests
	@$(BIN)/ruff format --check src tests

validate: $(VENV)/.dev ## sam validate --lint and cfn-lint
	@$(BIN)/sam validate --lint --region us-east-1
	@$(BIN)/cfn-lint template.yaml

TOOLS := .venv-tools
$(TOOLS)/.installed: requirements/checkov.txt
	@test -x $(TOOLS)/bin/python || python3 -m venv $(TOOLS)
	@echo "Installing checkov (first time only)..."
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	@touch $@

security: $(VENV)/.dev $(TOOLS)/.installed ## bandit on src/ (no medium or high) and checkov on the template
	@$(BIN)/bandit --quiet --recursive src --severity-level medium
	@$(TOOLS)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download

bench: build ## Measure cold starts, sizes, render time, the local flow and load; print a table
	@$(PYTHON) -m bedtime_bench.bench

simulate: $(VENV)/.local ## Simulate one night for FAMILIES families: queues, caps, rate limits; late and lost
	@$(PYTHON) -m bedtime_bench.simulate --families $(FAMILIES)

# --- AWS ----------------------------------------------------------------------
build: $(VENV)/.dev ## sam build (no Docker and no local Python 3.13 needed)
	@$(BIN)/sam build --build-in-source --parallel

deploy: $(VENV)/.local ## sam build + sam deploy (samconfig.toml's defaults); GUIDED=1 asks for every parameter
	@$(PYTHON) -m bedtime_tools check-aws --models $(if $(GUIDED),--guided)
	@$(MAKE) build
	@$(BIN)/sam deploy $(if $(GUIDED),--guided) $(if $(STACK),--stack-name $(STACK))

# For this machine's architecture (no emulator), in a build directory of its own
LOCAL_ARCH  := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
LOCAL_BUILD := $(ROOT).aws-sam/local-$(LOCAL_ARCH)

invoke: $(VENV)/.dev ## sam local invoke FN=WebFunction EVENT=events/web-home.json in Docker, on the `make run` on PORT (or STACK)
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "Usage: make invoke FN=WebFunction EVENT=events/web-home.json" >&2; exit 2; }
	@tools/lambda-image $(PYTHON)
	@LAMBDA_ARCH=$(LOCAL_ARCH) $(BIN)/sam build $(FN) --build-in-source --build-dir $(LOCAL_BUILD)
	@$(PYTHON) -m bedtime_tools.invoke $(FN) $(EVENT) --build-dir $(LOCAL_BUILD) --port $(PORT) $(if $(STACK),--stack $(STACK))

logs: $(VENV)/.dev ## Follow the deployed STACK's function logs
	@$(PYTHON) -m bedtime_tools check-aws
	@$(BIN)/sam logs --stack-name $(or $(STACK),bedtime-stories) --tail

clean: ## Remove build output and local run state
	rm -rf .aws-sam .local

# --- Lambda artifacts (called by sam build, one target per function) ----------
# Every step runs the project's virtualenv, never the machine's python3 (which may have
# neither pip nor boto3). sam build runs one make per function at once: the first makes the
# virtualenv if there is none yet, the others wait for it (a lock from the standard library).
define lambda_venv
	@python3 -c 'import fcntl, subprocess, sys; lock = open(sys.argv[1], "w"); fcntl.flock(lock, fcntl.LOCK_EX); sys.exit(subprocess.call(sys.argv[2:]))' \
	  "$(VENV).lock" $(MAKE) -C "$(ROOT)" "$(VENV)/.local"
endef
# arm64 as deployed; make invoke builds for this machine's architecture (LAMBDA_ARCH=x86_64)
LAMBDA_ARCH ?= arm64
LAMBDA_PIP = $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile \
  --platform manylinux2014_$(if $(filter x86_64,$(LAMBDA_ARCH)),x86_64,aarch64) \
  --implementation cp --python-version 3.13 --only-binary=:all: --upgrade --target
# Bytecode for the Lambda runtime (/var/task is read-only, so Python would compile every
# module at every cold start). .pyc files do not depend on the CPU, only on the version:
# pip's own (this Python's version) would be thrown away, so pip compiles nothing.
PYTHON313 ?= $(or $(firstword $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.13*/bin/python3.13)),$(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null))

# textstat declares setuptools but only imports it on Python < 3.9: 7 MB never loaded.
define lambda_artifact
	$(call lambda_venv)
	$(LAMBDA_PIP) "$(ARTIFACTS_DIR)" -r requirements/$(1).txt
	rm -rf "$(ARTIFACTS_DIR)"/setuptools* "$(ARTIFACTS_DIR)"/pkg_resources "$(ARTIFACTS_DIR)"/_distutils_hack "$(ARTIFACTS_DIR)"/distutils-precedence.pth
	cp -r src/bedtime "$(ARTIFACTS_DIR)/"
endef

define compile_bytecode
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
	@if [ -n "$(PYTHON313)" ]; then \
	  "$(PYTHON313)" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)" >/dev/null; \
	else \
	  echo "warning: no Python 3.13 here (set PYTHON313=path): $(notdir $(ARTIFACTS_DIR)) ships without bytecode, so each cold start compiles it"; \
	fi
endef

build-CreateStoryFunction:
	$(call lambda_artifact,create-story)
	$(call compile_bytecode)

build-IllustrateFunction:
	$(call lambda_artifact,illustrate)
	$(call compile_bytecode)

build-NarrateFunction:
	$(call lambda_artifact,narrate)
	$(call compile_bytecode)

build-FamiliesFunction:
	$(call lambda_artifact,families)
	$(call compile_bytecode)

build-NotifyFunction:
	$(call lambda_artifact,notify)
	mkdir -p "$(ARTIFACTS_DIR)/web/templates"
	cp -r web/templates/email "$(ARTIFACTS_DIR)/web/templates/"
	$(call compile_bytecode)

build-EmailEventsFunction:
	$(call lambda_artifact,families)
	$(call compile_bytecode)

build-TickFunction:
	$(call lambda_artifact,tick)
	$(call compile_bytecode)

build-ModelCheckFunction:
	$(call lambda_artifact,create-story)
	$(call compile_bytecode)

build-WebFunction:
	$(call lambda_artifact,web)
	cp -r web "$(ARTIFACTS_DIR)/"
	PYTHONPATH="$(ARTIFACTS_DIR)" $(PYTHON) -c 'import sys; from bedtime.site.pages import compile_templates; compile_templates(sys.argv[1])' "$(ARTIFACTS_DIR)/web"
	$(call compile_bytecode)

.PHONY: help run story seed family smoke new-secret test check lint validate security bench simulate build deploy invoke logs clean \
  build-CreateStoryFunction build-IllustrateFunction build-NarrateFunction build-WebFunction \
  build-FamiliesFunction build-NotifyFunction build-TickFunction build-ModelCheckFunction \
  build-EmailEventsFunction
