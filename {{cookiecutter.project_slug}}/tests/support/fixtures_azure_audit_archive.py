"""The audit trail's real archive on Azure for the shared contract suite: Blob Storage on Azurite.

tests/contract/test_audit_log_contract.py runs its archive tests against the in-memory archive and against
`real_audit_archive` (the log's fixtures are in fixtures_azure_audit.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from tests.azure.azurite import Azurite

from {{ cookiecutter.package_name }}.ports import AuditArchive


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
