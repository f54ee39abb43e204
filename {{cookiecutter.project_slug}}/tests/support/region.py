"""The region the tests' local servers and clients use: the project's own, read from its deployment
configuration (tools/<provider>/region.py says where: serverless.yml on AWS, infra/variables.tf on GCP and
Azure).

So a region change (make regenerate) rewrites that configuration and no test file.
"""

from __future__ import annotations

from pathlib import Path

from tools import residency

ROOT = Path(__file__).resolve().parents[2]
REGION: str = residency.region_block(ROOT / residency.provider_regions().CONFIG)["name"]
