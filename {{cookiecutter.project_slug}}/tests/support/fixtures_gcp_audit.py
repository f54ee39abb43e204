"""The audit trail's real log on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and against
`real_audit_log`. The archive's tests run on the in-memory archive only: GCP has no Cloud Storage
archive adapter yet (no fixtures_gcp_audit_archive.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_audit import (
    AuditAppendContention,
    FirestoreAuditLog,
)
from {{ cookiecutter.package_name }}.ports import AuditLog


@pytest.fixture
def real_audit_log(firestore_client: Any) -> AuditLog:
    """The Firestore hash chain on an empty database."""
    return FirestoreAuditLog(DATABASE, firestore_client)


@pytest.fixture
def real_audit_contention() -> tuple[type[Exception], ...]:
    """What the Firestore log raises when other writers keep moving the head: the events are retried."""
    return (AuditAppendContention,)
