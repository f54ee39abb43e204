"""The Azure flavour's region: infra/variables.tf and the cloud's regions (tools/terraform_region.py)."""

from __future__ import annotations

from tools.terraform_region import CONFIG, known, read

__all__ = ["CONFIG", "EXAMPLE", "KNOWN_AS", "known", "read"]

KNOWN_AS = "an Azure region with Flex Consumption function apps and Table Storage"
EXAMPLE = "westeurope"
