"""The region of a Terraform flavour (GCP, Azure): infra/variables.tf's `region` variable.

The variable's default is the generated region, and its validation refuses any other at plan time;
this reads the default, so an edit is refused before Terraform runs. The jurisdiction and its allowed
regions are the rendered rule of the project's compliance module (the same manifest rule that wrote
serverless.yml's region block on AWS), and so is the cloud's list of regions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tools.project import use_source_tree

use_source_tree()

from {{ cookiecutter.package_name }}.compliance import (  # noqa: E402 - src/ on the path
    ALLOWED_REGIONS,
    CLOUD_REGIONS,
    JURISDICTION,
)

CONFIG = "infra/variables.tf"
# The region variable's block, up to its default: `variable "region" { ... default = "<region>"`.
REGION_DEFAULT = re.compile(r'variable\s+"region"\s*\{[^}]*?\bdefault\s*=\s*"([^"]*)"', re.DOTALL)


def read(config: Path) -> dict[str, Any]:
    """The region block: the region variable's default, the jurisdiction and its allowed regions."""
    text = config.read_text(encoding="utf-8")
    found = REGION_DEFAULT.search(text)
    if found is None:
        raise SystemExit(
            f'{config}: no `variable "region"` with a default; restore it (make regenerate writes it)'
        )
    return {"name": found.group(1), "jurisdiction": JURISDICTION, "allowedRegions": list(ALLOWED_REGIONS)}


def known() -> frozenset[str]:
    """The regions of this cloud the template offers (the manifest's list)."""
    return frozenset(CLOUD_REGIONS)
