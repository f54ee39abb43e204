# GCP targets (included by the Makefile when infra/ exists): the Terraform's offline checks.
.PHONY: infra-check

# More options of tools/infra_check.py: INFRA_CHECK_ARGS=--no-checkov (the quick checks), --json <file>.
INFRA_CHECK_ARGS ?=

infra-check: $(SCAN_VENV)/bin/checkov ## Check infra/ offline: terraform fmt, parse, provider schema, checkov, own controls
	"$(SCAN_VENV)/bin/python" tools/infra_check.py --checkov "$(SCAN_VENV)/bin/checkov" $(INFRA_CHECK_ARGS)
