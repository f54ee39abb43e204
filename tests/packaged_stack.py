"""The zips a packaged AWS project deploys: what the size and content checks of its functions read."""

from __future__ import annotations

import json
from pathlib import Path


def packaged_template(project: Path) -> Path:
    """The CloudFormation template `osls package` wrote."""
    return project / ".serverless" / "cloudformation-template-update-stack.json"


def deployed_zip_paths(project: Path) -> dict[str, Path]:
    """Each function's zip as the packaged template deploys it (Code.S3Key), by function name.

    osls also leaves each function's first zip (`<function>.zip`) in .serverless/, which the individual
    packaging replaces and nothing deploys: sizes and contents are checked on these, not on that one.
    """
    template = json.loads(packaged_template(project).read_text(encoding="utf-8"))
    zips = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            key = resource["Properties"]["Code"]["S3Key"].rsplit("/", 1)[-1]
            name = logical_id.removesuffix("LambdaFunction")
            zips[name[0].lower() + name[1:]] = project / ".serverless" / key
    return zips
