# Azure targets (included by the Makefile when infra/ exists): the Terraform's offline checks.
.PHONY: infra-check

infra-check: $(SCAN_VENV)/bin/checkov ## Check infra/ offline: terraform fmt, parse, provider schema, checkov, own controls
	"$(SCAN_VENV)/bin/python" tools/infra_check.py --checkov "$(SCAN_VENV)/bin/checkov"
