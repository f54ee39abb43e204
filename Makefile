# Tooling of the template itself. `make test` installs what it needs and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest of the Pythons the generated functions run on, else python3.
PYTHON_BOOT ?= $(shell for v in 3.13 3.12; do \
	  p=$$(command -v pyenv >/dev/null && pyenv prefix $$v 2>/dev/null | tail -1); \
	  if [ -n "$$p" ] && [ -x "$$p/bin/python$$v" ]; then echo "$$p/bin/python$$v"; exit; fi; \
	  if command -v python$$v >/dev/null && python$$v -c pass 2>/dev/null; then echo python$$v; exit; fi; \
	done; echo python3)
# Each other Python a generated project may choose (python_version), when this machine has it: the
# generated tests of that combination run on it, with the project's dependencies in .venv-py<version>.
python_of = $(shell p=$$(command -v pyenv >/dev/null && pyenv prefix $(1) 2>/dev/null | tail -1); \
	if [ -n "$$p" ] && [ -x "$$p/bin/python$(1)" ]; then echo "$$p/bin/python$(1)"; \
	elif command -v python$(1) >/dev/null && python$(1) -c pass 2>/dev/null; then command -v python$(1); fi)
BOOT_VERSION := $(shell $(PYTHON_BOOT) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
EXTRA_VERSIONS := $(foreach v,3.12 3.13 3.14,$(if $(filter-out $(BOOT_VERSION),$(v)),$(if $(call python_of,$(v)),$(v))))
EXTRA_VENVS := $(foreach v,$(EXTRA_VERSIONS),.venv-py$(v)/.installed)
VENV := .venv
SCAN_VENV := .venv-scan
NODE_DIR := .cache/node
PY := $(VENV)/bin/python
# -v: each test's result (with its combination's id) as it ends, not a line of dots. --dist worksteal:
# a worker with nothing left takes half of the other's pending tests (with the default, one worker ran
# the last 12 minutes of a full run alone); tests/conftest.py starts the longest tests first.
PYTEST_ARGS ?= -n 2 --dist worksteal -v --durations=15
PROJECT := {{cookiecutter.project_slug}}
# Runs a step and says how long it took: $(call timed,<what>,<command>).
timed = start=$$(date +%s); $(2) && echo "==> $(1) took $$(( $$(date +%s) - start )) s"
# The hash-checked locks are installed with uv, which takes seconds where pip took minutes (measured:
# the test environment 15 s against 4 to 5 min, docs/design_decisions.md); uv itself comes by pip from
# the project's dev lock (its pin and hashes), and stays the fallback if uv fails. --compile-bytecode: uv
# writes no bytecode unless asked (pip does), and where PYTHONDONTWRITEBYTECODE is set no test process
# writes it either, so every Python process of the suite compiled boto3, moto and Flask from source
# (1.6 s of CPU for their imports, 0.6 s from bytecode, measured); the bench's cold starts then also
# measure what Lambda runs, packages with their bytecode.
UV_PIN = awk '/^uv==/ {on = 1; print; next} on && /^ +--hash/ {print; next} on {exit}' "$(PROJECT)/requirements-dev.txt"
locked_install = $(PY) -m uv pip install --quiet --compile-bytecode --python $(1) --require-hashes $(2) \
	|| { echo "    uv failed: installing with pip"; $(1) -m pip install --progress-bar off --require-hashes $(2); }

.PHONY: help install test test-quick demo lint clean lock docs

# The name column is as wide as the longest target, so no description runs into its name.
help: ## Show the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / {name[++n] = $$1; text[n] = $$2; if (length($$1) > width) width = length($$1)} \
	  END {for (i = 1; i <= n; i++) printf "  make %-" width "s  %s\n", name[i], text[i]}' $(MAKEFILE_LIST)

$(VENV)/.installed: requirements-test.txt $(PROJECT)/requirements-dev.txt $(PROJECT)/requirements.txt
	@echo "==> Python environment ($(PYTHON_BOOT)) in $(VENV)"
	$(PYTHON_BOOT) -m venv $(VENV)
	@$(call timed,uv (pip installs it from the project's dev lock),$(PY) -m pip install --progress-bar off --require-hashes -r <($(UV_PIN)))
	@$(call timed,Python environment,$(call locked_install,$(PY),-r requirements-test.txt -r "$(PROJECT)/requirements-dev.txt"))
	touch $@

.venv-py%/.installed: $(PROJECT)/requirements-dev.txt $(PROJECT)/requirements.txt | $(VENV)/.installed
	@echo "==> Python $* environment for the generated projects that choose it, in .venv-py$*"
	$(call python_of,$*) -m venv .venv-py$*
	@$(call timed,Python $* environment,$(call locked_install,.venv-py$*/bin/python,-r "$(PROJECT)/requirements-dev.txt"))
	touch $@

$(SCAN_VENV)/.installed: requirements-scan.txt $(PROJECT)/requirements-scan.txt | $(VENV)/.installed
	@echo "==> Scanner environment (checkov, cfn-lint) in $(SCAN_VENV)"
	$(PYTHON_BOOT) -m venv $(SCAN_VENV)
	@$(call timed,Scanner environment,$(call locked_install,$(SCAN_VENV)/bin/python,-r requirements-scan.txt))
	touch $@

# The GCP flavour's tests (a GCP project's tests/gcp, on the gcloud Firestore and Pub/Sub emulators and
# fake-gcs-server for Cloud Storage): the project's dev lock, its GCP lock (requirements-gcp.txt, resolved
# against the dev lock) and its GCP dev lock (requirements-gcp-dev.txt: fake-gcs-server) in one environment.
GCP_VENV := .venv-gcp
GCP_LOCKS := $(PROJECT)/requirements-dev.txt $(PROJECT)/requirements-gcp.txt $(PROJECT)/requirements-gcp-dev.txt
$(GCP_VENV)/.installed: $(GCP_LOCKS) | $(VENV)/.installed
	@echo "==> GCP environment (Firestore and Pub/Sub clients, functions-framework, fake-gcs-server) in $(GCP_VENV)"
	$(PYTHON_BOOT) -m venv $(GCP_VENV)
	@$(call timed,GCP environment,$(call locked_install,$(GCP_VENV)/bin/python,$(addprefix -r ,$(GCP_LOCKS))))
	touch $@

# The Azure flavour's tests (an Azure project's tests/azure, on Azurite): the project's dev lock and its Azure
# lock (requirements-azure.txt, resolved against the dev lock) in one environment.
AZURE_VENV := .venv-azure
$(AZURE_VENV)/.installed: $(PROJECT)/requirements-dev.txt $(PROJECT)/requirements-azure.txt | $(VENV)/.installed
	@echo "==> Azure environment (Table, Queue and Blob Storage clients, azure-identity) in $(AZURE_VENV)"
	$(PYTHON_BOOT) -m venv $(AZURE_VENV)
	@$(call timed,Azure environment,$(call locked_install,$(AZURE_VENV)/bin/python,-r "$(PROJECT)/requirements-dev.txt" -r "$(PROJECT)/requirements-azure.txt"))
	touch $@

# Azurite, the local Azure Storage of the Azure tests: the npm package pinned by an Azure project's
# tools/azurite/package-lock.json (integrity hashes; `npm ci` refuses anything else), installed once here.
AZURITE_DIR := .cache/azurite
AZURITE_SCRIPT := $(AZURITE_DIR)/node_modules/azurite/dist/src/azurite.js
$(AZURITE_DIR)/.installed: $(PROJECT)/tools/azurite/package.json $(PROJECT)/tools/azurite/package-lock.json
	@echo "==> Azurite (local Azure Storage for the Azure tests) in $(AZURITE_DIR)"
	rm -rf $(AZURITE_DIR) && mkdir -p $(AZURITE_DIR)
	cp "$(PROJECT)/tools/azurite/package.json" "$(PROJECT)/tools/azurite/package-lock.json" $(AZURITE_DIR)/
	@$(call timed,Azurite,cd $(AZURITE_DIR) && npm ci --no-audit --no-fund --loglevel=error)
	touch $@

# The generated project's package-lock.json pins every transitive package, so a registry that gains a
# release, or lacks one, cannot change what the tests (or a project's `make install`) install.
$(NODE_DIR)/.installed: $(PROJECT)/package.json $(PROJECT)/package-lock.json $(VENV)/.installed
	@echo "==> Serverless Framework (osls) and plugins, once for every generated project, in $(NODE_DIR)"
	$(PY) tools/node_deps.py $(NODE_DIR)
	@echo "    npm ci: about a minute, quiet until it ends"
	@$(call timed,Node packages,cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error)
	touch $@

# Every environment and node folder the tests use (what each holds: docs/03-developing.md, "The tests").
INSTALLED := $(VENV)/.installed $(EXTRA_VENVS) $(SCAN_VENV)/.installed $(GCP_VENV)/.installed \
	$(AZURE_VENV)/.installed $(NODE_DIR)/.installed $(AZURITE_DIR)/.installed
install: $(INSTALLED) ## Install test tooling, project deps, scanners and node packages

# Where the tests find the shared node packages, scanners and each Python's project environment.
TEST_ENV = TEMPLATE_NODE_MODULES="$(CURDIR)/$(NODE_DIR)/node_modules" TEMPLATE_SCAN_BIN="$(CURDIR)/$(SCAN_VENV)/bin" \
	TEMPLATE_PYTHONS="$(foreach v,$(EXTRA_VERSIONS),$(v)=$(CURDIR)/.venv-py$(v)/bin/python)" \
	TEMPLATE_GCP_PYTHON="$(CURDIR)/$(GCP_VENV)/bin/python" TEMPLATE_AZURE_PYTHON="$(CURDIR)/$(AZURE_VENV)/bin/python" \
	TEMPLATE_AZURITE="$(CURDIR)/$(AZURITE_SCRIPT)" PYTHON="$(CURDIR)/$(PY)"

test: install lint ## Run the template's whole test suite (lint first): the gate, about 25 min on 2 cores
	@$(call timed,make test,$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS) $(ARGS))

test-quick: install lint ## The inner loop: prompts, hooks and one small combination end to end (about 2 min)
	@$(call timed,make test-quick,$(TEST_ENV) $(PY) -m pytest -m quick $(PYTEST_ARGS) $(ARGS))

# The google provider's schema that the GCP projects' `make infra-check` checks infra/ against: extracted
# from the prebuilt CDKTF provider package generated from the pinned provider (infra/versions.tf).
# google-beta's (the API Gateway resources, which only it has) comes from the google-beta package of the same version.
GCP_SCHEMA_PACKAGE := cdktf-cdktf-provider-google==16.12.1
GCP_BETA_SCHEMA_PACKAGE := cdktf-cdktf-provider-google-beta==16.12.1
GCP_PROVIDER := 6.50.0
.PHONY: gcp-schema
gcp-schema: $(VENV)/.installed ## Regenerate the GCP Terraform's google and google-beta schemas (downloads two ~50 MB wheels into build/)
	mkdir -p build/gcp-schema
	$(PY) -m pip download --no-deps --only-binary=:all: --progress-bar off "$(GCP_SCHEMA_PACKAGE)" "$(GCP_BETA_SCHEMA_PACKAGE)" -d build/gcp-schema
	$(PY) tools/provider_schema.py google build/gcp-schema/cdktf_cdktf_provider_google-[0-9]*.whl "$(PROJECT)/infra/schema/google-$(GCP_PROVIDER).json"
	$(PY) tools/provider_schema.py google-beta build/gcp-schema/cdktf_cdktf_provider_google_beta-*.whl "$(PROJECT)/infra/schema/google-beta-$(GCP_PROVIDER).json"

# The azurerm provider's schema of the Azure projects' `make infra-check`, the same way (infra-azure/versions.tf).
AZURE_SCHEMA_PACKAGE := cdktf-cdktf-provider-azurerm==14.23.1
AZURE_PROVIDER := 4.55.0
.PHONY: azure-schema
azure-schema: $(VENV)/.installed ## Regenerate the Azure Terraform's provider schema (downloads a 45 MB wheel into build/)
	mkdir -p build/azure-schema
	$(PY) -m pip download --no-deps --only-binary=:all: --progress-bar off "$(AZURE_SCHEMA_PACKAGE)" -d build/azure-schema
	$(PY) tools/provider_schema.py azurerm build/azure-schema/cdktf_cdktf_provider_azurerm-*.whl "$(PROJECT)/infra-azure/schema/azurerm-$(AZURE_PROVIDER).json"

# The generated project's own `make demo` (docs/local-development.md there), on the packaged template.
demo: $(VENV)/.installed $(NODE_DIR)/.installed ## Generate the default project into build/, package it, play its demo journey
	rm -rf build && mkdir -p build
	$(PY) -m cookiecutter . --no-input -o build
	$(MAKE) -C build/casino-backend package demo PYTHON="$(CURDIR)/$(PY)" NODE_MODULES="$(CURDIR)/$(NODE_DIR)/node_modules"

# Every environment is installed from a hash-checked lock (the generated project's docs/dependencies.md):
# the generated project's locks with its own `make lock`, then the template's test lock, which must
# agree with the project's dev lock because one environment installs both.
lock: $(VENV)/.installed ## Re-resolve the locks: the generated project's, then requirements-test.txt
	cd "$(PROJECT)" && $(MAKE) --no-print-directory lock PYTHON="$(CURDIR)/$(PY)" $(if $(UPGRADE),UPGRADE=1)
	$(PY) -m uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  requirements-test.in --constraint "$(PROJECT)/requirements-dev.txt" \
	  -o requirements-test.txt $(if $(UPGRADE),--upgrade)

# The template's documentation site (mkdocs.yml): strict, so a broken link or anchor, or a docs page
# missing from the nav, fails. NO_MKDOCS_2_WARNING: the theme's notice of its successor (Zensical,
# which reads the same mkdocs.yml); see docs/design_decisions.md.
docs: $(VENV)/.installed ## Build the template's documentation site into site/ (strict: broken links fail)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet
	@echo "Site in site/: $$(find site -name '*.html' | wc -l) pages; open site/index.html"

lint: $(VENV)/.installed ## Lint the template's own Python
	$(VENV)/bin/ruff check hooks tests tools local_extensions.py

clean: ## Remove environments, caches and build output
	rm -rf $(VENV) .venv-py* $(SCAN_VENV) $(GCP_VENV) $(AZURE_VENV) .cache build site .pytest_cache
