"""The audit archive bucket in the test server, configured from serverless.yml itself.

Object Lock is taken from AuditArchiveBucket's properties (mode and retention), so the tests lock
objects exactly as the stack does.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.tables import load_resources


def archive_lock_rule() -> dict[str, Any]:
    """DefaultRetention of AuditArchiveBucket in serverless.yml (mode and years)."""
    properties = load_resources()["AuditArchiveBucket"]["Properties"]
    assert properties["ObjectLockEnabled"] is True
    rule: dict[str, Any] = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    return rule


def create_archive_bucket(client: Any, region: str) -> str:
    """A fresh bucket with Object Lock, versioning and the stack's default retention."""
    name = f"audit-{uuid.uuid4().hex[:12]}"
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True, **extra)
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": archive_lock_rule()}}
    client.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=lock)
    return name
