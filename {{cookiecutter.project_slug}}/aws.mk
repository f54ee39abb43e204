# The AWS flavour's targets (the Serverless Framework, osls): included by the Makefile.
.PHONY: install-cloud package scan deploy

OSLS := node_modules/.bin/osls
TEMPLATE := .serverless/cloudformation-template-update-stack.json
# serverless-python-requirements runs pip with this interpreter (see pythonBin in serverless.yml).
export PYTHON_BIN := $(if $(findstring /,$(PYTHON)),$(abspath $(PYTHON)),$(PYTHON))

# make install's second half: the pinned osls and its plugins.
install-cloud: node_modules

node_modules: package.json
ifeq ($(NODE_MODULES),node_modules)
	@if [ -L node_modules ]; then \
	  echo "node_modules links to $$(readlink node_modules): pass NODE_MODULES=<that folder>, or remove the link;" \
	    "npm would rewrite the folder it points to." >&2; exit 1; fi
	@echo "==> osls and its plugins (package-lock.json) into node_modules: about a minute, quiet until npm ends"
	@$(call timed,Node packages,if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
	touch node_modules
else
	@if [ -e node_modules ] && [ ! -L node_modules ]; then \
	  echo "node_modules exists; remove it to use $(NODE_MODULES) instead." >&2; exit 1; fi
	ln -sfn "$(abspath $(NODE_MODULES))" node_modules
endif

# tools/aws/package_code.py first works out each function's modules and compiles their bytecode (when this
# Python is the runtime's); SOURCE_DATE_EPOCH makes pip's bytecode of the API's packages hash-based
# too, since the zips keep no file times. Also removes the handler files serverless-wsgi copies into
# the project: its own clean-up looks under src/ once serverless-python-requirements has given every
# function a module.
package: node_modules check-stage check-region ## Package STAGE offline: CloudFormation and one zip per function (its modules, bytecode) in .serverless/
	@if ! "$(PYTHON)" -m pip --version >/dev/null 2>&1; then \
	  echo "No pip in $(PYTHON): run make install first (or pass VENV=... or PYTHON=...)." >&2; exit 1; fi
	@"$(PYTHON)" -m tools.aws.package_code
	@status=0; SOURCE_DATE_EPOCH=315532800 $(OSLS) package --stage $(STAGE) || status=$$?; \
	  rm -f wsgi_handler.py serverless_wsgi.py .serverless-wsgi; exit $$status
	@# Only the zips the stack deploys (the template's S3 keys); other zips in .serverless/ are build steps.
	@zips=$$(grep -o '[^"/]*\.zip"' $(TEMPLATE) | tr -d '"' | sort -u); \
	  echo "The stack deploys $$(echo $$zips | wc -w) zips (bytes, name):"; cd .serverless && ls -l $$zips | awk '{printf "  %9s  %s\n", $$5, $$9}'

scan: $(SCAN_VENV)/bin/checkov ## Audit the packaged template: cfn-lint, then checkov (zero failed checks)
	@if [ ! -f $(TEMPLATE) ]; then echo "No $(TEMPLATE): run make package first." >&2; exit 1; fi
	"$(SCAN_VENV)/bin/cfn-lint" $(TEMPLATE)
	"$(SCAN_VENV)/bin/checkov" --file $(TEMPLATE) --framework cloudformation --skip-download --compact --quiet

# Every security default as a named control (docs/audit.md): exits non-zero when one fails. Without
# STAGE it packages and audits every stage serverless.yml defines (its params other than default), as
# CI does, so a weakened prod value fails it too; `make audit STAGE=prod` audits one stage (deploy
# runs it so). Each stage's template is kept in .build/audit/; .serverless/ ends with the last stage's
# package, each zip with its SBOM (<zip>.cdx.json, tools/sbom.py). VERBOSE=1 also prints what each
# control cites and every exception it accepted (docs/controls.md always has them).
AUDIT_DIR := .build/audit
.PHONY: audit audit-live
audit: node_modules $(SCAN_VENV)/bin/checkov ## Package and audit every stage (or STAGE) offline; writes docs/controls.md and .json
	rm -rf $(AUDIT_DIR) && mkdir -p $(AUDIT_DIR)
	stages="$(if $(STAGE_GIVEN),$(STAGE),$$("$(PYTHON)" -m tools.audit --list-stages))"; \
	for stage in $$stages; do \
	  $(MAKE) --no-print-directory package STAGE=$$stage; \
	  cp $(TEMPLATE) "$(AUDIT_DIR)/$$stage.json"; \
	done; \
	"$(PYTHON)" -m tools.sbom; \
	"$(PYTHON)" -m tools.audit $$(printf -- '--stage %s ' $$stages) --template '$(AUDIT_DIR)/{stage}.json' \
	  --scan-bin "$(SCAN_VENV)/bin" --markdown docs/controls.md --json docs/controls.json $(if $(VERBOSE),-v)

audit-live: package ## Compare the deployed STAGE with its packaged defaults (needs AWS credentials)
	"$(PYTHON)" -m tools.audit --live --stage $(STAGE)

# Deploys exactly what `make audit STAGE=<stage>` packaged and passed (cfn-lint, checkov and every
# control). After the stack is up, the deployment itself is appended to the audit trail (StackDeployed).
deploy: check-stage ## Deploy STAGE (default dev) once its audit passes; needs AWS credentials
	$(MAKE) --no-print-directory audit STAGE=$(STAGE)
	$(OSLS) deploy --stage $(STAGE) --package .serverless
	PYTHONPATH=src "$(PYTHON)" -m {{ cookiecutter.package_name }}.compliance.deployment --stage $(STAGE)

