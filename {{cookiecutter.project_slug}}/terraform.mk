# The Terraform flavours' targets (GCP, Azure; infra/): included by the Makefile. Both flavours are
# previews: their Terraform is built and checked offline; GCP packages its functions' sources and Azure
# its function apps; make deploy plans and applies them (not yet run against a real cloud).
.PHONY: install-cloud infra-check audit audit-live package deploy

# More options of tools/infra_check.py: INFRA_CHECK_ARGS=--no-checkov (the quick checks), --json <file>.
INFRA_CHECK_ARGS ?=

# make install's second half: the cloud's SDKs in the same environment (requirements-{{ cookiecutter.cloud_provider }}.txt is
# resolved against the dev lock, so one environment takes both) and what the tests run the stores on
# (a requirements-{{ cookiecutter.cloud_provider }}-dev.txt: local servers for the tests and the local run, never deployed).
# Terraform is not installed here; the checks need `terraform` (fmt) on PATH.
CLOUD_LOCKS := requirements-dev.txt requirements-{{ cookiecutter.cloud_provider }}.txt $(wildcard requirements-{{ cookiecutter.cloud_provider }}-dev.txt)
install-cloud:
	@echo "==> The {{ cookiecutter.cloud_provider }} packages of $(filter-out requirements-dev.txt,$(CLOUD_LOCKS)) (hash-checked) for $(PYTHON)"
	@$(call timed,Cloud packages,"$(PYTHON)" -m pip install --progress-bar off --require-hashes $(addprefix -r ,$(CLOUD_LOCKS)))
{%- if cookiecutter.cloud_provider == "azure" %}
	@command -v npm >/dev/null || { echo "npm is not on PATH: install Node.js 18 or later; make test runs the Azure tests on Azurite, which npm installs." >&2; exit 1; }
	@echo "==> Azurite (local Azure Storage for the tests) into tools/azurite/node_modules, from its lock"
	@$(call timed,Azurite,cd tools/azurite && npm ci --no-audit --no-fund --loglevel=error)
{%- else %}
	@command -v gcloud >/dev/null || echo "gcloud is not on PATH: make test runs the GCP tests on its Firestore and Pub/Sub emulators (gcloud components install cloud-firestore-emulator pubsub-emulator; Java 11+)." >&2
{%- endif %}
	@command -v terraform >/dev/null || echo "Terraform is not on PATH: install Terraform 1.11+ for make infra-check (terraform fmt) and make deploy." >&2

infra-check: $(SCAN_VENV)/bin/checkov ## Check infra/ offline: terraform fmt, parse, provider schema, checkov, own controls
	"$(SCAN_VENV)/bin/python" tools/infra_check.py --checkov "$(SCAN_VENV)/bin/checkov" $(INFRA_CHECK_ARGS)

audit: infra-check ## The security defaults' audit: infra-check's checkov and own controls (0 failed, or it fails)

# make audit-live reads the deployed STAGE by the names infra/ gives it and checks infra-check's own controls
# there, each under the same id (tools/infra_live.py, tools/{{ cookiecutter.cloud_provider }}/live.py); read-only requests with your
# credentials. AUDIT_LIVE_ARGS="--json <file>" also writes the results as JSON.
AUDIT_LIVE_ARGS ?=
{%- if cookiecutter.cloud_provider == "gcp" %}
PROJECT ?=

audit-live: check-stage ## Read the deployed STAGE in PROJECT=<project id>, report drift per control (needs Google credentials)
	@test -n "$(PROJECT)" || { echo "make audit-live: name the Google Cloud project: make audit-live PROJECT=<project id> STAGE=$(STAGE)" >&2; exit 2; }
	"$(PYTHON)" -m tools.gcp.live --project "$(PROJECT)" --stage "$(STAGE)" $(AUDIT_LIVE_ARGS)
{%- else %}
SUBSCRIPTION ?=

audit-live: check-stage ## Read the deployed STAGE in SUBSCRIPTION=<id>, report drift per control (needs Azure credentials)
	@test -n "$(SUBSCRIPTION)" || { echo "make audit-live: name the Azure subscription: make audit-live SUBSCRIPTION=<subscription id> STAGE=$(STAGE)" >&2; exit 2; }
	"$(PYTHON)" -m tools.azure.live --subscription "$(SUBSCRIPTION)" --stage "$(STAGE)" $(AUDIT_LIVE_ARGS)
{%- endif %}

{%- if cookiecutter.cloud_provider == "gcp" %}
# The archives' version: infra's source_version default unless SOURCE_VERSION is given (terraform's
# -var source_version=<the same> then deploys them).
SOURCE_VERSION ?=

package: ## One source archive per function in .build/gcp/<function>-<version>.zip (SOURCE_VERSION=<v>)
	"$(PYTHON)" -m tools.gcp.package $(if $(SOURCE_VERSION),--source-version "$(SOURCE_VERSION)")
{%- else %}

# One zip per function app in .build/azure/ (tools/azure/package.py): its function_app.py, host.json,
# requirements.txt (the runtime locks) and the package modules it imports, deterministic; one-deploy takes
# each as it is (az functionapp deploy --src-path .build/azure/<app>.zip --type zip).
package: ## One zip per function app in .build/azure/: function_app.py, host.json, requirements.txt and its code
	"$(PYTHON)" -m tools.azure.package
{%- endif %}

# make deploy (tools/{{ cookiecutter.cloud_provider }}/deploy.py): preflight, terraform init on the stage's state, plan, apply after
# `yes`{{ ", with the functions' archives uploaded to the sources bucket before the functions are made" if cookiecutter.cloud_provider == "gcp" else ", then each app's code by one-deploy" }}.
# DRY_RUN=1 prints every command and runs none; AUTO_APPROVE=1 applies without asking; VAR_FILE=<path>
# names the stage's Terraform variables (default infra/<stage>.tfvars). infra/README.md, Deploying.
DRY_RUN ?=
AUTO_APPROVE ?=
VAR_FILE ?=
deploy_flags = $(if $(DRY_RUN),--dry-run) $(if $(AUTO_APPROVE),--auto-approve) $(if $(VAR_FILE),--var-file "$(VAR_FILE)")
{%- if cookiecutter.cloud_provider == "gcp" %}
STATE_BUCKET ?=

deploy: check-stage check-region ## Plan and apply infra/ in PROJECT=<project id> (archives uploaded first; DRY_RUN=1, AUTO_APPROVE=1)
	@test -n "$(PROJECT)" || { echo "make deploy: name the Google Cloud project: make deploy PROJECT=<project id> STAGE=$(STAGE)" >&2; exit 2; }
	"$(PYTHON)" -m tools.gcp.deploy --project "$(PROJECT)" --stage "$(STAGE)" $(deploy_flags) $(if $(SOURCE_VERSION),--source-version "$(SOURCE_VERSION)") $(if $(STATE_BUCKET),--state-bucket "$(STATE_BUCKET)")
{%- else %}
STATE_RESOURCE_GROUP ?=
STATE_STORAGE_ACCOUNT ?=

deploy: check-stage check-region ## Plan and apply infra/ in SUBSCRIPTION=<id>, then one-deploy each app (DRY_RUN=1, AUTO_APPROVE=1)
	@test -n "$(SUBSCRIPTION)" || { echo "make deploy: name the Azure subscription: make deploy SUBSCRIPTION=<subscription id> STAGE=$(STAGE)" >&2; exit 2; }
	"$(PYTHON)" -m tools.azure.deploy --subscription "$(SUBSCRIPTION)" --stage "$(STAGE)" $(deploy_flags) --state-resource-group "$(STATE_RESOURCE_GROUP)" --state-storage-account "$(STATE_STORAGE_ACCOUNT)"
{%- endif %}
