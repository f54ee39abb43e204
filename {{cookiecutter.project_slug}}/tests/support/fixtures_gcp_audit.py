"""The audit trail's real log on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and archive and
against `real_audit_log` and `real_audit_archive`; each cloud with adapters for the ports supplies them.
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
