"""The S3 audit archive's own guarantee: archived objects are locked in compliance mode (Object Lock).

The behaviour every audit log and archive shares is tests/contract/test_audit_log_contract.py; this file is
AWS's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.contract.test_audit_log_contract import RECORDED_AT, event
from tests.support.audit import archive_lock_rule, create_archive_bucket
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.s3 import S3AuditArchive
from {{ cookiecutter.package_name }}.domain.audit import ChainHead, link


@pytest.mark.integration
def test_archived_objects_are_locked_in_compliance_mode_and_cannot_be_deleted(s3_client: Any) -> None:
    bucket = create_archive_bucket(s3_client, REGION)
    archive = S3AuditArchive(bucket, s3_client)
    records = link(ChainHead(), [event(1), event(2)], RECORDED_AT)

    archive.store(records)

    (listed,) = s3_client.list_object_versions(Bucket=bucket)["Versions"]
    locked = s3_client.head_object(Bucket=bucket, Key=listed["Key"], VersionId=listed["VersionId"])
    rule = archive_lock_rule()
    assert locked["ObjectLockMode"] == rule["Mode"] == "COMPLIANCE"
    retained = locked["ObjectLockRetainUntilDate"] - datetime.now(UTC)
    assert retained > timedelta(days=365 * rule["Years"] - 2)
    with pytest.raises(s3_client.exceptions.ClientError, match="AccessDenied"):
        s3_client.delete_object(Bucket=bucket, Key=listed["Key"], VersionId=listed["VersionId"])
    assert archive.records(listed["Key"]) == records
