"""The audit trail's real log on AWS for the shared contract suite: DynamoDB on the moto server.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and against
`real_audit_log`; each cloud with an adapter for the port supplies it here, and its archive (a port of
its own, `real_audit_archive`) in fixtures_<provider>_audit_archive.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_audit import (
    AuditAppendContention,
    DynamoAuditLog,
)
from {{ cookiecutter.package_name }}.ports import AuditLog


@pytest.fixture
def real_audit_log(aws_tables: dict[str, str]) -> AuditLog:
    """The DynamoDB hash chain on a fresh audit table."""
    return DynamoAuditLog(aws_tables["AuditTable"])


@pytest.fixture
def real_audit_contention() -> tuple[type[Exception], ...]:
    """What the DynamoDB log raises when other writers keep moving the head: the events are retried."""
    return (AuditAppendContention,)
