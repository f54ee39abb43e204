"""The AWS flavour's region: serverless.yml's custom.region block, and the regions with Lambda."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from tools import cfn_yaml

CONFIG = "serverless.yml"
KNOWN_AS = "an AWS region with Lambda"
EXAMPLE = "eu-west-1"


def read(config: Path) -> dict[str, Any]:
    """The custom.region block of serverless.yml."""
    block: dict[str, Any] = cfn_yaml.load_file(config)["custom"]["region"]
    return block


def known() -> set[str]:
    """The regions where Lambda runs, as the installed botocore knows them."""
    return set(boto3.session.Session().get_available_regions("lambda"))
