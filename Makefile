SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV   ?= .venv
PYTHON := $(VENV)/bin/python
BIN    := $(VENV)/bin
PORT   ?= 3000
STACK  ?= bedtime-stories

export PYTHONPATH := $(CURDIR)/src
export SAM_CLI_TELEMETRY := 0

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

# --- Set-up (first call only) -------------------------------------------------
$(VENV)/.local: requirements/local.txt requirements/create-story.txt requirements/illustrate.txt requirements/narrate.txt requirements/web.txt
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
	@$(PYTHON) -m bedtime.local $(if $(CATALOG),--catalog $(CATALOG)) --port $(PORT)

story: $(VENV)/.local ## Make a story now: on the running `make run`, or on the deployed stack with STACK=name
	@$(PYTHON) -m bedtime.deployed story --stack $(STACK) --local-port $(PORT)

seed: $(VENV)/.local ## Load CATALOG=path (default: the bundled catalog) into the deployed stack
	@$(PYTHON) -m bedtime.deployed seed --stack $(STACK) $(if $(CATALOG),--catalog $(CATALOG))

# --- Quality ------------------------------------------------------------------
test: $(VENV)/.dev ## Lint, validate, scan and build, then run every test
	@$(BIN)/ruff check src tests
	@$(BIN)/ruff format --check src tests
	@$(MAKE) validate
	@$(MAKE) security
	@$(MAKE) build
	@$(BIN)/pytest

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
	@$(PYTHON) -m bedtime.local.bench

# --- AWS ----------------------------------------------------------------------
build: $(VENV)/.dev ## sam build (no Docker and no local Python 3.13 needed)
	@$(BIN)/sam build --build-in-source --parallel

deploy: build ## sam deploy with samconfig.toml's defaults; GUIDED=1 asks for every parameter
	@$(BIN)/sam deploy $(if $(GUIDED),--guided)

invoke: build ## sam local invoke FN=WebFunction EVENT=events/web-home.json (needs Docker)
	@$(BIN)/sam local invoke $(FN) --event $(EVENT)

logs: ## Follow the deployed functions' logs
	@$(BIN)/sam logs --stack-name $(STACK) --tail

clean: ## Remove build output and local run state
	rm -rf .aws-sam .local

# --- Lambda artifacts (called by sam build, one target per function) ----------
LAMBDA_PIP := python3 -m pip install --quiet --disable-pip-version-check \
  --platform manylinux2014_aarch64 --implementation cp --python-version 3.13 \
  --only-binary=:all: --upgrade --target

define lambda_artifact
	$(LAMBDA_PIP) "$(ARTIFACTS_DIR)" -r requirements/$(1).txt
	cp -r src/bedtime "$(ARTIFACTS_DIR)/"
	rm -rf "$(ARTIFACTS_DIR)"/bedtime/local "$(ARTIFACTS_DIR)"/bedtime/deployed.py
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
endef

build-CreateStoryFunction:
	$(call lambda_artifact,create-story)

build-IllustrateFunction:
	$(call lambda_artifact,illustrate)

build-NarrateFunction:
	$(call lambda_artifact,narrate)

build-WebFunction:
	$(call lambda_artifact,web)
	cp -r web "$(ARTIFACTS_DIR)/"

.PHONY: help run story seed test lint validate security bench build deploy invoke logs clean \
  build-CreateStoryFunction build-IllustrateFunction build-NarrateFunction build-WebFunction
