"""The audit trail's real stores on Azure for the shared contract suite: Table and Blob Storage on Azurite.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and archive and
against `real_audit_log` and `real_audit_archive`; each cloud with adapters for the ports supplies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.azure.azurite import Azurite

from {{ cookiecutter.package_name }}.ports import AuditArchive, AuditLog


@pytest.fixture
def real_audit_log(table_factory: Callable[..., Any]) -> AuditLog:
    """The Table Storage hash chain on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_audit import TableAuditLog

    return TableAuditLog(table_factory())


@pytest.fixture
def real_audit_contention() -> tuple[type[Exception], ...]:
    """What the Table Storage log raises when other writers keep moving the head: the events are retried."""
    pytest.importorskip(
        "azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)"
    )
    from {{ cookiecutter.package_name }}.adapters.table_audit import AuditAppendContention

    return (AuditAppendContention,)


@pytest.fixture
def real_audit_archive(azure_storage: Azurite) -> Iterator[AuditArchive]:
    """The Blob Storage archive in a fresh container (deleted after the test).

    Azurite has no immutability policies: the write-once lock is the Terraform's (infra/) and
    `make audit`'s to check; here the archive itself never overwrites a blob.
    """
    blobs = pytest.importorskip(
        "azure.storage.blob", reason="azure-storage-blob is not installed (requirements-azure.txt)"
    )
    from {{ cookiecutter.package_name }}.adapters.blob_audit import BlobAuditArchive

    service = blobs.BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"audit-{uuid.uuid4().hex[:12]}")
    yield BlobAuditArchive(container)
    container.delete_container()
