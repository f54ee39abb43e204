"""The audit trail's real stores on AWS for the shared contract suite: DynamoDB and S3 on the moto server.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and archive and
against `real_audit_log` and `real_audit_archive`; each cloud with adapters for the ports supplies them.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.audit import create_archive_bucket
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.dynamodb_audit import (
    AuditAppendContention,
    DynamoAuditLog,
)
from {{ cookiecutter.package_name }}.adapters.s3 import S3AuditArchive
from {{ cookiecutter.package_name }}.ports import AuditArchive, AuditLog


@pytest.fixture
def real_audit_log(aws_tables: dict[str, str]) -> AuditLog:
    """The DynamoDB hash chain on a fresh audit table."""
    return DynamoAuditLog(aws_tables["AuditTable"])


@pytest.fixture
def real_audit_contention() -> tuple[type[Exception], ...]:
    """What the DynamoDB log raises when other writers keep moving the head: the events are retried."""
    return (AuditAppendContention,)


@pytest.fixture
def real_audit_archive(s3_client: Any) -> AuditArchive:
    """The S3 archive in a fresh bucket locked like the stack's (Object Lock, compliance mode)."""
    return S3AuditArchive(create_archive_bucket(s3_client, REGION), s3_client)
