"""Refuse a deployment region the jurisdiction does not allow, before any cloud call.

Reads the project's region block from its deployment configuration (the provider's tools/<provider>/
region.py says where: serverless.yml's custom.region on AWS, infra/variables.tf's region on GCP and
Azure): the region, the jurisdiction and its allowed regions. Exits 1 with the rule's name when the
region is unknown to the cloud or not allowed, unless the project was generated with the regulator's
approval recorded for its own region (_residency_override_reason; docs/regions.md).
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from tools.project import use_source_tree

use_source_tree()

# The regulator's approval recorded at generation for a region outside the jurisdiction's list
# (_residency_override_reason), and that region; without one, only the jurisdiction's regions are allowed.
from {{ cookiecutter.package_name }}.compliance import APPROVAL, APPROVED_REGION  # noqa: E402 - src/ on the path

# The cloud this project deploys to: where its region is configured, and which regions it has, are in
# tools/<PROVIDER>/region.py.
PROVIDER = "{{ cookiecutter.cloud_provider }}"


def provider_regions() -> ModuleType:
    """The provider's region module: CONFIG (the file that holds the region), read() and REGIONS."""
    return import_module(f"tools.{PROVIDER}.region")


def region_block(config: Path) -> dict[str, Any]:
    """The region block of the deployment configuration: name, jurisdiction, allowedRegions."""
    block: dict[str, Any] = provider_regions().read(config)
    return block


def problems(block: dict[str, Any], region: str | None = None) -> list[str]:
    """What is wrong with deploying to `region` (default: the block's own region)."""
    region = region or block["name"]
    regions = provider_regions()
    if region not in regions.known():
        return [f"region {region!r} is not {regions.KNOWN_AS} (for example: {regions.EXAMPLE})"]
    allowed = block.get("allowedRegions") or []
    if allowed and region not in allowed and region != APPROVED_REGION:
        return [
            f"region {region!r} is not allowed for jurisdiction {block['jurisdiction']!r}: its residency "
            f"rule allows only {', '.join(allowed)}. Regenerate the project for an allowed region "
            "(make regenerate REGION=...) instead of editing the region."
        ]
    return []


def main(argv: list[str] | None = None) -> int:
    """Check the configured region (or --region) against the jurisdiction's rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(provider_regions().CONFIG),
        help="the file that holds the region (default: %(default)s)",
    )
    parser.add_argument("--region", help="check this region instead of the configured one")
    args = parser.parse_args(argv)
    block = region_block(args.config)
    found = problems(block, args.region)
    for problem in found:
        print(f"Refusing to deploy: {problem}", file=sys.stderr)
    region = args.region or block["name"]
    jurisdiction = block["jurisdiction"]
    if not found and region == APPROVED_REGION and region not in (block.get("allowedRegions") or [region]):
        print(
            f"region {region} is outside the regions of jurisdiction {jurisdiction}; allowed on the "
            f"recorded approval: {APPROVAL}"
        )
    elif not found:
        print(f"region {region} is allowed for jurisdiction {jurisdiction}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
