"""The Azure flavour's region: infra/variables.tf (tools/terraform_region.py) and the regions it has."""

from __future__ import annotations

from tools.terraform_region import CONFIG, read

__all__ = ["CONFIG", "EXAMPLE", "KNOWN_AS", "known", "read"]

KNOWN_AS = "an Azure region with Flex Consumption function apps and Table Storage"
EXAMPLE = "westeurope"
# The template's list for this cloud (its manifest cites where each list comes from).
REGIONS = frozenset(
    (
{%- for region in manifest.providers.azure.regions %}
        "{{ region }}",
{%- endfor %}
    )
)


def known() -> frozenset[str]:
    """The regions this flavour can deploy to."""
    return REGIONS
