"""The audit archive bucket in the test server, configured from serverless.yml itself.

Object Lock is taken from AuditArchiveBucket's properties (mode and retention), so the tests lock
objects exactly as the stack does.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.tables import SERVERLESS_YML, load_resources
from tools import cfn_yaml

RETENTION_PARAM = "${param:auditArchiveRetention}"


def archive_lock_rule(stage: str = "prod") -> dict[str, Any]:
    """DefaultRetention of AuditArchiveBucket for a stage (mode and retention), from serverless.yml.

    The bucket takes it from the stage's `auditArchiveRetention` param, else the default one; prod's
    (COMPLIANCE, the strict one) unless a test asks for another stage.
    """
    properties = load_resources()["AuditArchiveBucket"]["Properties"]
    assert properties["ObjectLockEnabled"] is True
    rule: Any = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    if rule == RETENTION_PARAM:
        document = cfn_yaml.load_file(SERVERLESS_YML)
        params = document["params"]
        default = params["default"]["auditArchiveRetention"]
        rule = (params.get(stage) or {}).get("auditArchiveRetention", default)
    assert isinstance(rule, dict)
    return rule


def create_archive_bucket(client: Any, region: str) -> str:
    """A fresh bucket with Object Lock, versioning and the stack's default retention."""
    name = f"audit-{uuid.uuid4().hex[:12]}"
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True, **extra)
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": archive_lock_rule()}}
    client.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=lock)
    return name
