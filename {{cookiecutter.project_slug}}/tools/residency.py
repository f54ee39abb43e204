"""Refuse a deployment region the jurisdiction does not allow, before any cloud call.

Reads the region block of serverless.yml (custom.region): the region, the jurisdiction and its
allowed regions. Exits 1 with the rule's name when the region is unknown or not allowed, unless the
project was generated with the regulator's approval recorded for its own region
(_residency_override_reason; docs/regions.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import boto3

from tools import cfn_yaml
from tools.project import use_source_tree

use_source_tree()

# The regulator's approval recorded at generation for a region outside the jurisdiction's list
# (_residency_override_reason), and that region; without one, only the jurisdiction's regions are allowed.
from {{ cookiecutter.package_name }}.compliance import APPROVAL, APPROVED_REGION  # noqa: E402 - src/ on the path


def region_block(serverless_yml: Path) -> dict[str, Any]:
    """The custom.region block of serverless.yml."""
    config = cfn_yaml.load_file(serverless_yml)
    block: dict[str, Any] = config["custom"]["region"]
    return block


def problems(block: dict[str, Any], region: str | None = None) -> list[str]:
    """What is wrong with deploying to `region` (default: the block's own region)."""
    region = region or block["name"]
    known = set(boto3.session.Session().get_available_regions("lambda"))
    if region not in known:
        return [f"region {region!r} is not an AWS region with Lambda (for example: eu-west-1)"]
    allowed = block.get("allowedRegions") or []
    if allowed and region not in allowed and region != APPROVED_REGION:
        return [
            f"region {region!r} is not allowed for jurisdiction {block['jurisdiction']!r}: its residency "
            f"rule allows only {', '.join(allowed)}. Regenerate the project for an allowed region "
            "(make regenerate REGION=...) instead of editing the region."
        ]
    return []


def main(argv: list[str] | None = None) -> int:
    """Check the region of serverless.yml (or --region) against the jurisdiction's rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serverless-yml", type=Path, default=Path("serverless.yml"))
    parser.add_argument("--region", help="check this region instead of the one in serverless.yml")
    args = parser.parse_args(argv)
    block = region_block(args.serverless_yml)
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
